"""junit.xml from scenario results: one suite per feature, failure vs error vs skipped."""

from __future__ import annotations

from lxml import etree
from reports_testkit import results, scenario

from reports.junit import build_junit


def test_junit_counts_and_elements() -> None:
    run = results(
        [
            scenario("Connexion", "pass", requirement_ids=["W1-INS-06"]),
            scenario("Panne INSi", "fail"),
            scenario("Contrôle injoignable", "error"),
            scenario("Scénario manuel", "skip"),
        ]
    )
    root = etree.fromstring(build_junit(run))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "4",
        "1",
        "1",
        "1",
    )
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "socle/insi.feature"
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert cases["Connexion"].get("classname") == "socle.insi"
    assert cases["Connexion"].find("failure") is None
    assert cases["Connexion"].find("properties/property[@name='requirement']").get("value") == "W1-INS-06"
    failure = cases["Panne INSi"].find("failure")
    assert failure is not None
    assert failure.get("message") == "Alors le journal montre la faute : Attendu CR 00, reçu une faute SOAP"
    assert cases["Contrôle injoignable"].find("error") is not None
    assert cases["Scénario manuel"].find("skipped") is not None
    assert "[réussi] Étant donné le banc est prêt" in (cases["Connexion"].findtext("system-out") or "")


def test_control_characters_do_not_break_the_xml() -> None:
    bad = scenario("Réponse binaire", "fail")
    bad.steps[1].message = "octets \x00\x07 reçus"
    root = etree.fromstring(build_junit(results([bad])))
    assert "\ufffd" in root.find("testsuite/testcase/failure").text
