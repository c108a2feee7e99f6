"""Fault rules and packs: the INSi packs load, the action union is discriminated on `kind`, and bad
rules or packs give French errors naming the path and line."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

# Submodule imports: under a bare `pytest`, tests/scenarios/ shadows the package name `scenarios`.
from scenarios.faults import (
    DelayAction,
    FaultPackError,
    FaultRule,
    HttpStatusAction,
    MalformedAction,
    ResetAction,
    ServiceFaultAction,
    TlsFailureAction,
    list_fault_packs,
    load_fault_file,
    load_fault_pack,
    pack_from_tag,
    parse_pack_name,
)

REPO = Path(__file__).resolve().parents[2]
INSI_PACKS = {"indisponible", "lent", "coupure", "tls", "malformee", "idam-refuse", "erreur-http"}


def test_every_pack_loads_and_targets_its_service() -> None:
    names = list_fault_packs()
    assert {f"insi.{pack}" for pack in INSI_PACKS} <= set(names)
    for name in names:
        service, pack = parse_pack_name(name)
        rules = load_fault_pack(service, pack)
        assert rules and all(rule.service == service for rule in rules)
    assert list_fault_packs("insi") == sorted(f"insi.{pack}" for pack in INSI_PACKS)
    assert list_fault_packs("service-inexistant") == []


def _action(pack: str) -> object:
    (rule,) = load_fault_pack("insi", pack)
    return rule.action


def test_insi_pack_contents() -> None:
    down = _action("indisponible")
    assert isinstance(down, ServiceFaultAction)
    assert (down.soap_code, down.message) == ("Receiver", "Service momentanément indisponible")
    idam = _action("idam-refuse")
    assert isinstance(idam, ServiceFaultAction)
    assert (idam.soap_code, idam.code, idam.detail_code) == ("Sender", "siram_100", "desir_550")
    slow = _action("lent")
    assert isinstance(slow, DelayAction) and slow.ms == 3000
    http = _action("erreur-http")
    assert isinstance(http, HttpStatusAction) and http.status == 503
    assert isinstance(_action("coupure"), ResetAction)
    assert isinstance(_action("tls"), TlsFailureAction)
    assert isinstance(_action("malformee"), MalformedAction)


def test_tags_and_pack_names() -> None:
    assert pack_from_tag("@panne.insi.idam-refuse") == ("insi", "idam-refuse")
    assert pack_from_tag("panne.insi.lent") == ("insi", "lent")
    assert pack_from_tag("@REQ.W1-INS-01") is None
    assert parse_pack_name("insi.indisponible") == ("insi", "indisponible")
    with pytest.raises(FaultPackError, match=r"<service>\.<pack>"):
        parse_pack_name("insi")
    with pytest.raises(FaultPackError, match=r"<service>\.<pack>"):
        pack_from_tag("@panne.insi.../etc")


def test_unknown_pack_lists_the_available_ones() -> None:
    with pytest.raises(FaultPackError, match=r"pack inconnu \(packs disponibles : insi\.coupure"):
        load_fault_pack("insi", "inexistant")
    with pytest.raises(FaultPackError, match="nom de service ou de pack invalide"):
        load_fault_pack("insi", "../../etc/passwd")


def test_discriminated_union_selects_and_rejects() -> None:
    rule = FaultRule.model_validate(
        {
            "id": "r1",
            "service": "dmp",
            "operation": "TD2.1",
            "match": {"ins": "184066938304193"},
            "probability": 0.5,
            "count": 2,
            "action": {"kind": "http_status", "status": 500},
        }
    )
    assert isinstance(rule.action, HttpStatusAction) and rule.action.body is None
    listed = FaultRule.model_validate(
        {
            "id": "r2",
            "service": "insi",
            "match": {"header.x-idam": ["A", "B"], "peer.cn": "INSI-AUTO"},
            "action": {"kind": "expired_token"},
        }
    )
    assert listed.match["header.x-idam"] == ["A", "B"] and listed.action.kind == "expired_token"
    bad_actions = [
        {"kind": "explosion"},  # unknown kind
        {"ms": 10},  # kind missing
        {"kind": "delay"},  # ms missing
        {"kind": "delay", "ms": 10, "status": 500},  # field of another variant
        {"kind": "http_status", "status": 200},  # not an error status
        {"kind": "service_fault", "code": "x", "message": "m", "soap_code": "Client"},  # SOAP 1.1 code
        {"kind": "malformed", "variant": "poison"},
    ]
    for action in bad_actions:
        with pytest.raises(ValidationError):
            FaultRule.model_validate({"id": "r", "service": "insi", "action": action})


def test_rule_bounds_and_window() -> None:
    base = {"id": "r", "service": "insi", "action": {"kind": "reset"}}
    for bad in ({"probability": 1.5}, {"count": 0}, {"window": {"duration_s": 0}}, {"service": "INSI"}):
        with pytest.raises(ValidationError):
            FaultRule.model_validate(base | bad)
    rule = FaultRule.model_validate(base | {"window": {"start": "2026-11-22T10:00:00", "duration_s": 30}})
    assert rule.window is not None and rule.window.start == datetime(2026, 11, 22, 10, tzinfo=UTC)
    # Rules travel as JSON through the control plane: a dump validates back to the same rule.
    assert FaultRule.model_validate(rule.model_dump(mode="json")) == rule


def _pack(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "insi.essai.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_action_in_a_pack_names_path_and_line(tmp_path: Path) -> None:
    text = "- id: a\n  service: insi\n  action:\n    kind: delay\n    ms: -5\n- id: b\n  service: insi\n  action:\n    kind: foudre\n"
    with pytest.raises(FaultPackError) as caught:
        load_fault_file(_pack(tmp_path, text), service="insi")
    message = str(caught.value)
    assert "2 problèmes" in message
    assert "[0].action.ms (ligne 5) : doit être supérieur ou égal à 1" in message
    assert "[1].action (ligne 9) : type « foudre » inconnu" in message and "'delay'" in message


def test_pack_level_rules(tmp_path: Path) -> None:
    text = "- {id: a, service: dmp, action: {kind: reset}}\n- {id: a, service: insi, action: {kind: reset}}\n"
    with pytest.raises(FaultPackError) as caught:
        load_fault_file(_pack(tmp_path, text), service="insi")
    message = str(caught.value)
    assert "[0].service (ligne 1) : la règle vise « dmp » et non « insi »" in message
    assert "[1].id (ligne 2) : identifiant de règle « a » en double" in message
    for text, expected in [
        ("[]\n", "liste non vide"),
        ("id: a\n", "liste non vide"),
        ("- {id: a, service: insi, action: {kind: reset}, id: b}\n", "clé « id » en double"),
        ("- {id: a, service: insi\n", "YAML invalide"),
    ]:
        with pytest.raises(FaultPackError, match=expected):
            load_fault_file(_pack(tmp_path, text))


def test_package_reexports_the_public_api() -> None:
    code = (
        "import scenarios\n"
        "assert scenarios.load_world().persons\n"
        "assert scenarios.load_fault_pack('insi', 'lent')[0].action.kind == 'delay'\n"
        "assert scenarios.FaultRule and scenarios.World and scenarios.Person and scenarios.list_fault_packs()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
