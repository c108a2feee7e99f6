"""behave hooks of the bench, in sections. The logic lives in bench.runner.hooks (typed, tested);
this file only says when it runs. Run the scenarios with `segur-bench run`, which hands the run
context (target, control plane, world) to behave."""

from __future__ import annotations

from typing import Any

from bench.runner import hooks

# --- Run ------------------------------------------------------------------------------------------
# The run context comes from `segur-bench run` through behave's userdata.


def before_all(context: Any) -> None:
    hooks.before_all(context)


# --- Scenario fixtures, switched on by tags ---------------------------------------------------------
# Every scenario: /_bench/reset carrying its scenario id, then the target's reset and the world's seed.
# @panne.<service>.<pack>: arms that fault pack after the reset (the next reset clears it).
# @manuel: skipped unless the target is manual.


def before_scenario(context: Any, scenario: Any) -> None:
    hooks.before_scenario(context, scenario)


# --- Evidence and progress --------------------------------------------------------------------------
# Duration, progress line "[i/n] OK  name (1,2 s)"; exchanges are collected by scenario id after the run.


def after_scenario(context: Any, scenario: Any) -> None:
    hooks.after_scenario(context, scenario)
