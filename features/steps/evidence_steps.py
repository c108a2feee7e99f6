"""Steps: evidence attached to the report."""

from __future__ import annotations

from typing import Any

from behave import step

from bench.steps_lib import evidence


@step("une capture de l'écran « {screen} » est jointe au rapport")
def capture(context: Any, screen: str) -> None:
    evidence.capture(context.bench, screen)
