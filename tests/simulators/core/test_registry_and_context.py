"""Tolerant service registry, runtime settings, and ServiceContext.record for non-HTTP exchanges."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators import registry
from simulators.core.clock import BenchClock
from simulators.core.findings import Finding
from simulators.core.journal import ExchangeFilter, Journal
from simulators.core.service import ServiceContext
from simulators.core.settings import RuntimeSettings


def test_missing_or_broken_service_modules_are_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "SERVICE_MODULES", ["simulators.nexiste_pas", "json", "simulators.insi"])
    found = registry.available()
    assert list(found) == ["insi"]
    assert found["insi"].default_port == 7001


def test_unknown_service_names_are_refused_in_french(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "SERVICE_MODULES", ["simulators.insi"])
    with pytest.raises(registry.UnknownServiceError, match=r"service\(s\) inconnu\(s\) : dmp"):
        registry.select(["insi", "dmp"])
    assert [d.name for d in registry.select(None)] == ["insi"]


def test_ports_come_from_flags_then_environment_then_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SEGUR_BENCH_PORT_INSI", "7101")
    monkeypatch.setenv("SEGUR_BENCH_PORT_CONTROL", "7990")
    settings = RuntimeSettings(home=tmp_path, ports={"dmp": 7202})
    assert settings.port_for("insi", 7001) == 7101
    assert settings.port_for("dmp", 7002) == 7202
    assert settings.port_for("psc", 7006) == 7006
    assert settings.port_for("cards", None) is None
    assert settings.resolved_control_port() == 7990
    monkeypatch.setenv("SEGUR_BENCH_PORT_INSI", "sept")
    with pytest.raises(ValueError, match="entier attendu"):
        settings.port_for("insi", 7001)


def test_cards_mode_from_flag_or_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEGUR_BENCH_CARDS", "none")
    assert RuntimeSettings(home=tmp_path).resolved_cards() == "none"
    assert RuntimeSettings(home=tmp_path, cards="bench").resolved_cards() == "bench"


def test_context_record_journals_an_apdu_exchange() -> None:
    journal = Journal("sqlite://", autostart=False)
    try:
        context = ServiceContext(None, None, BenchClock(), journal, {}, name="cards", scenario_id="scn-7")
        record = context.record(
            "cards",
            "VERIFY",
            "inbound",
            {"body": bytes.fromhex("0020000008"), "headers": {"reader": "Banc Segur 00 01"}},
            {"body": bytes.fromhex("63C2"), "status": None},
            {"carte": "cps-1", "vide": None},  # type: ignore[dict-item]
            [Finding("CARTE-01", "warning", [], "PIN faux")],
        )
        [stored] = journal.query(ExchangeFilter(service="cards"))
        assert stored == record
        assert stored.scenario_id == "scn-7" and stored.correlation == {"carte": "cps-1"}
        assert journal.body(stored.response.body_sha256).data == bytes.fromhex("63C2")
        assert stored.request.body_url == f"/_bench/bodies/{stored.request.body_sha256}"
    finally:
        journal.close()
