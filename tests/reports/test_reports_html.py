"""rapport.html and results.json built from a recorded journal and scenario results; rebuild from disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reports_testkit import (
    PNG,
    SOAP_FAULT,
    SOAP_REQUEST,
    certificate,
    record,
    results,
    scenario,
    screenshot,
    signed_request,
    write_bodies,
)

import reports
from reports.evidence import BodyStore, EvidenceError
from reports.html import RequirementInfo, build_html
from reports.model import Screenshot
from reports.verdict import requirement_verdict, run_outcome


def lookup(bench_id: str) -> RequirementInfo:
    return RequirementInfo(bench_id, f"Titre de {bench_id}", "DOIT", "INS")


def _run(tmp_path: Path) -> tuple[reports.RunResults, list[reports.ExchangeRecord]]:
    cert = certificate("INSI-AUTO")
    signed = signed_request(cert)
    write_bodies(
        tmp_path,
        [
            (SOAP_REQUEST, "application/soap+xml"),
            (SOAP_FAULT, "application/soap+xml"),
            (signed, "application/soap+xml"),
        ],
    )
    finding: dict[str, object] = {
        "rule": "INSI-CTX-01",
        "severity": "error",
        "requirement_ids": ["W1-INS-22"],
        "message": "ContexteLPS absent",
    }
    records = [
        record("ex-1", findings=[finding]),
        record("ex-2", request=signed, response=None, status=200, offset_s=1),
    ]
    shot = screenshot(tmp_path)
    run = results(
        [
            scenario(
                "Panne INSi lue dans le journal",
                "pass",
                requirement_ids=["W1-INS-22"],
                exchange_ids=["ex-1", "ex-2"],
                screenshots=[shot],
            ),
            scenario("Connexion par carte CPS", "fail", requirement_ids=["W1-INS-22"]),
            scenario(
                "Sans exigence",
                "pass",
                screenshots=[Screenshot(name="écran", screen="accueil", note="capture non prise en charge")],
            ),
        ]
    )
    return run, records


def test_html_shows_requirements_exchanges_findings_and_screenshots(tmp_path: Path) -> None:
    run, records = _run(tmp_path)
    html = build_html(run, records, tmp_path, lookup=lookup)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in html
    # per requirement: the worst verdict of its scenarios, with its title
    assert 'id="exigence-W1-INS-22"' in html and "Titre de W1-INS-22" in html
    row = html.split('id="exigence-W1-INS-22"')[1].split("</tr>")[0]
    assert "r-fail" in row
    # SOAP exchange pretty-printed (escaped), fault named, certificate summarised
    assert "&lt;soap:Envelope" in html
    assert "faute SOAP Receiver / BANC_INDISPONIBLE" in html
    assert "sujet CN=INSI-AUTO ; émetteur CN=TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS" in html
    # findings with rule and requirement ids
    assert "<code>INSI-CTX-01</code>" in html and "ContexteLPS absent" in html
    # screenshot embedded, and the note of a target that cannot capture
    assert "data:image/png;base64," in html
    assert "capture non prise en charge" in html
    # fidelity of the operation touched, bench version, scenario without requirement listed
    assert "rechercherInsAvecTraitsIdentite</td>" in html and "spécification publique" in html
    assert "consulter" not in html  # declared but not touched
    assert "segur-bench 0.1.0" in html
    assert "Scénarios sans exigence REM" in html
    assert "Le LGO testé échoue sur au moins un scénario." in html


def test_html_escapes_what_the_lgo_sent(tmp_path: Path) -> None:
    run = results([scenario("<script>alert(1)</script>", "pass")])
    html = build_html(run, [], tmp_path, lookup=lookup)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_write_reports_and_rebuild_from_the_run_directory(tmp_path: Path) -> None:
    run, records = _run(tmp_path)
    reports.write_reports(tmp_path, run, records)
    saved = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert set(saved) == {"bench_version", "target", "started_at", "ended_at", "services", "scenarios"}
    assert set(saved["scenarios"][0]) == {
        "name",
        "feature",
        "tags",
        "requirement_ids",
        "result",
        "duration_s",
        "steps",
        "exchange_ids",
        "screenshots",
        "attachments",
    }
    assert saved["services"]["insi"] == {"operations": {"rechercherInsAvecTraitsIdentite": "public-spec"}}
    assert (tmp_path / "junit.xml").read_bytes().startswith(b"<?xml")
    (tmp_path / "rapport.html").unlink()
    path = reports.rebuild_html(tmp_path)
    html = path.read_text(encoding="utf-8")
    assert "faute SOAP Receiver / BANC_INDISPONIBLE" in html  # records and bodies read back from disk
    assert "future_field" not in html
    assert (tmp_path / "screenshots" / "accueil.png").read_bytes() == PNG


def test_rebuild_refuses_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match=r"results\.json introuvable"):
        reports.rebuild_html(tmp_path)
    (tmp_path / "results.json").write_text("{}", encoding="utf-8")
    with pytest.raises(EvidenceError, match="format attendu"):
        reports.rebuild_html(tmp_path)


def test_body_store_checks_the_digest(tmp_path: Path) -> None:
    store = BodyStore(tmp_path)
    with pytest.raises(EvidenceError, match="différente"):
        store.write("0" * 64, b"autre chose", "text/plain")
    assert store.read("../etc/passwd") is None


def test_missing_body_is_reported_not_fatal(tmp_path: Path) -> None:
    run = results([scenario("S", "pass", exchange_ids=["ex-1", "ex-absent"])])
    html = build_html(run, [record("ex-1")], tmp_path, lookup=lookup)
    assert "corps absent du dossier du run" in html
    assert "ex-absent" in html


@pytest.mark.parametrize(
    ("outcomes", "run", "requirement"),
    [
        (["pass", "skip"], "pass", "pass"),
        (["pass", "fail"], "fail", "fail"),
        (["fail", "error"], "error", "error"),
        (["skip"], "pass", "skip"),
        ([], "empty", "skip"),
    ],
)
def test_verdicts(outcomes: list[str], run: str, requirement: str) -> None:
    assert run_outcome(outcomes) == run
    assert requirement_verdict(outcomes) == requirement
