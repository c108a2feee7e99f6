"""INSi conformance checks in isolation: contexts, WS-Addressing, traits, dates, assertion times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from insi_testkit import contexte_bam, contexte_lps, traits_body, vitale_body
from lxml import etree

from simulators.insi import rules
from simulators.insi.models import Software, TraitsQuery


def ids(checks: list[rules.Check]) -> set[str]:
    return {c.rule for c in checks}


def test_a_complete_contexte_lps_has_no_finding() -> None:
    assert rules.check_contexte_lps(contexte_lps(), datetime.now(UTC)) == []


def test_contexte_lps_attribute_and_field_findings() -> None:
    ctx = contexte_lps()
    ctx.set("Version", "01_01")
    ns = "urn:siram:lps:ctxlps"
    idam = ctx.find(f"{{{ns}}}LPS/{{{ns}}}IDAM")
    assert idam is not None
    idam.set("R", "3")
    lps = ctx.find(f"{{{ns}}}LPS")
    assert lps is not None
    lps.remove(lps.find(f"{{{ns}}}Instance"))
    temps = ctx.find(f"{{{ns}}}Temps")
    assert temps is not None
    temps.text = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = rules.check_contexte_lps(ctx, datetime.now(UTC))
    assert ids(found) == {"INSI-CTX-03", "INSI-CTX-04", "INSI-CTX-05", "INSI-CTX-07"}
    assert all(c.reject is None for c in found)
    assert all("W1-INS-22" in c.requirement_ids for c in found)


def test_contexte_lps_without_idam_is_refused() -> None:
    ctx = contexte_lps()
    ns = "urn:siram:lps:ctxlps"
    lps = ctx.find(f"{{{ns}}}LPS")
    assert lps is not None
    lps.remove(lps.find(f"{{{ns}}}IDAM"))
    (check,) = rules.check_contexte_lps(ctx, datetime.now(UTC))
    assert check.rule == "INSI-CTX-02" and check.reject == "desir_400"


def test_software_registry_check() -> None:
    ctx = contexte_lps(idam="E-1", name="autre", version="9.9")
    (unknown,) = rules.check_software(ctx, None)
    assert unknown.reject == "desir_550"
    found = rules.check_software(ctx, Software("E-1", "lgo-test", "1.2.0"))
    assert [c.rule for c in found] == ["INSI-CTX-09", "INSI-CTX-09"] and not any(c.reject for c in found)
    assert rules.check_software(contexte_lps(idam="E-1"), Software("E-1", "lgo-test", "1.2.0")) == []


def test_contexte_bam_traits_coverage_must_be_empty() -> None:
    body = traits_body("A", "B", "M", "2000-01-01")
    assert (
        rules.check_contexte_bam(contexte_bam(), "rechercherInsAvecTraitsIdentite", body, datetime.now(UTC))
        == []
    )
    filled = contexte_bam(vitale_body("1800175056001", "2000-01-01", 1))
    assert ids(
        rules.check_contexte_bam(filled, "rechercherInsAvecTraitsIdentite", body, datetime.now(UTC))
    ) == {"INSI-BAM-05"}
    wrong = contexte_bam()
    wrong.set("Version", "01_00")
    assert ids(
        rules.check_contexte_bam(wrong, "rechercherInsAvecTraitsIdentite", body, datetime.now(UTC))
    ) == {"INSI-BAM-03"}


def test_contexte_bam_vitale_coverage_must_be_present() -> None:
    body = vitale_body("1800175056001", "2000-01-01", 1)
    assert (
        rules.check_contexte_bam(contexte_bam(body), "rechercherInsAvecCarteVitale", body, datetime.now(UTC))
        == []
    )
    found = rules.check_contexte_bam(contexte_bam(), "rechercherInsAvecCarteVitale", body, datetime.now(UTC))
    assert ids(found) == {"INSI-BAM-06"} and len(found) == 3


@pytest.mark.parametrize(
    ("action", "message_id", "expected"),
    [
        (
            "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite",
            "uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
            set(),
        ),
        (
            "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite",
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            set(),
        ),
        ("urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite", "message-1", {"INSI-WSA-05"}),
        ("urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite", None, {"INSI-WSA-04"}),
        (None, "uuid:0f8fad5b-d9cb-469f-a165-70867728950e", {"INSI-WSA-01"}),
        ("urn:inconnue", "uuid:0f8fad5b-d9cb-469f-a165-70867728950e", {"INSI-WSA-02"}),
    ],
)
def test_addressing(action: str | None, message_id: str | None, expected: set[str]) -> None:
    body = traits_body("A", "B", "M", "2000-01-01")
    assert ids(rules.check_addressing(action, message_id, body)) == expected


def test_operation_for() -> None:
    body = traits_body("A", "B", "M", "2000-01-01")
    assert rules.operation_for(None, body, False) == "rechercherInsAvecTraitsIdentite"
    assert rules.operation_for(None, body, True) == "verifierIns"
    assert rules.operation_for("urn:ServiceIdentiteCertifiee:1.0.0:verifierIns", body, False) == "verifierIns"
    assert rules.operation_for(None, etree.Element("x"), False) is None


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2000-02-29", True),
        ("1900-02-29", False),
        ("1950-00-00", True),
        ("1962-03-00", True),
        ("1962-00-15", True),
        ("1962-13-01", False),
        ("1962-04-31", False),
        ("1962-01-32", False),
        ("0000-01-01", False),
        ("62-01-01", False),
    ],
)
def test_lunar_dates(value: str, ok: bool) -> None:
    assert rules.lunar_date_ok(value) is ok


@pytest.mark.parametrize(
    ("name", "first", "expected"),
    [
        ("D'ALEMBERT-VIGNY", ("JEAN-BAPTISTE",), set()),
        ("DUPONT--DURAND", ("ANNE",), set()),
        ("LE GOFF", ("COEUR ZOE",), set()),
        ("Le Goff", ("Cœur",), {"INSI-TRAITS-05"}),
        ("DUPONT", ("ANNE", "MARIE"), {"INSI-TRAITS-06"}),
        ("DUPONT2", ("ANNE",), {"INSI-TRAITS-04"}),
        ("DUPONT", ("-ANNE",), {"INSI-TRAITS-04"}),
        ("DUPONT", ("",), {"INSI-TRAITS-07"}),
        ("", ("ANNE",), {"INSI-TRAITS-01"}),
    ],
)
def test_traits_format(name: str, first: tuple[str, ...], expected: set[str]) -> None:
    assert ids(rules.check_traits(TraitsQuery(name, first, "M", "2000-01-01"))) == expected


def test_vitale_key_check() -> None:
    body = vitale_body("1800175056001", "2000-01-01", 1)
    ns = "http://www.cnamts.fr/INSiRecVit"
    od = body.find(f"{{{ns}}}MatriculeOD")
    assert od is not None
    etree.SubElement(od, f"{{{ns}}}Cle").text = "00"
    assert ids(rules.check_vitale(body)) == {"INSI-VIT-03"}


def test_assertion_issue_instant() -> None:
    iso = "%Y-%m-%dT%H:%M:%SZ"
    now = datetime.now(UTC)
    assert rules._issue_instant(now.strftime(iso), now) == []
    assert rules._issue_instant((now + timedelta(hours=1)).strftime(iso), now)[0].severity == "error"
    assert rules._issue_instant((now - timedelta(days=1)).strftime(iso), now)[0].severity == "warning"
    assert rules._issue_instant("hier", now)[0].rule == "INSI-CPX-06"


def test_check_becomes_a_core_finding() -> None:
    check = rules.Check("INSI-X", "warning", "message", ("W1-INS-22",), "ev")
    finding = check.finding()
    assert (finding.rule, finding.severity, finding.requirement_ids, finding.evidence) == (
        "INSI-X",
        "warning",
        ["W1-INS-22"],
        "ev",
    )
