"""INS identity steps, bulk verification (W1-INS-25, règle 46, optional): every stored INS verified
through INSi in one run (unattended: INSI-AUTO), with a report of the identities downgraded on KO
(`POST /insi/bulk-verify`)."""

from __future__ import annotations

from typing import Any

from bench.steps_lib import ins, ins_insi, ins_part2
from bench.steps_lib.state import ScenarioBench
from bench.targets.errors import BenchError

BULK = "/insi/bulk-verify"


def run(bench: ScenarioBench, login: str) -> None:
    session = ins.acting(bench, login)
    ins.act(bench, session, "POST", BULK, "Vérification en masse des INS", json={})


def report(bench: ScenarioBench) -> dict[str, Any]:
    outcome = ins.last(bench)
    data = ins.require_ok(outcome)
    for key in ("checked", "ok", "ko"):
        if not isinstance(data.get(key), int):
            raise AssertionError(f"{outcome.action} : rapport sans « {key} » : {outcome.answer.text[:300]}")
    return data


def check_counts(bench: ScenarioBench, checked: int, ok: int, ko: int) -> None:
    data = report(bench)
    actual = (data["checked"], data["ok"], data["ko"])
    if actual != (checked, ok, ko):
        raise AssertionError(
            f"Rapport de vérification en masse : {actual[0]} vérifiée(s), {actual[1]} OK, {actual[2]} KO au lieu de "
            f"{checked}, {ok}, {ko} ({data})"
        )


def _downgraded(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in ins.as_list(data.get("downgraded")) if isinstance(item, dict)]


def check_downgraded(bench: ScenarioBench, refs: list[str]) -> None:
    """Exactly these identities are reported downgraded, each with a readable reason."""
    data = report(bench)
    items = _downgraded(data)
    reported = {str(item.get("patient_id")) for item in items}
    expected = {ins.patient_id(bench, ref): ref for ref in refs}
    if reported != set(expected):
        raise AssertionError(
            f"Identités abaissées selon le rapport : {sorted(reported)} ; attendues : "
            + ", ".join(f"{ref} ({pid})" for pid, ref in expected.items())
        )
    for item in items:
        ins_part2.check_readable(
            item.get("reason"), f"Motif de l'abaissement du patient {item.get('patient_id')}"
        )


def check_errors_reported(bench: ScenarioBench) -> None:
    data = report(bench)
    errors = ins.as_list(data.get("errors"))
    if not errors:
        raise AssertionError(
            f"INSi en panne mais le rapport de vérification en masse ne signale aucune erreur : {data}"
        )


def check_verified_by_insi(bench: ScenarioBench, refs: list[str], credential: str) -> None:
    """INSi received the verification of each patient's INS with that credential."""
    for ref in refs:
        seeded = ins.local_patient(bench, ref)
        if seeded is None or not seeded.matricule:
            raise BenchError(
                f"Scénario mal écrit : « {ref} » n'est pas un patient local du monde portant un INS"
            )
        ins_insi.check_bench_exchange(
            bench, "de vérification", credential=credential, ins_value=seeded.matricule
        )


def check_lgo_journal(bench: ScenarioBench, ref: str, result: str, credential: str) -> None:
    calls = ins.items_of(
        bench.target.call(
            "GET",
            "/journals/insi-calls",
            session=ins.reader(bench),
            params={"patient_id": ins.patient_id(bench, ref)},
        )
    )
    if not any(
        item.get("action") == "verification"
        and item.get("result") == result
        and item.get("credential") == credential
        for item in calls
    ):
        listing = "\n".join(
            f"  {i.get('at')} {i.get('action')} {i.get('credential')} résultat {i.get('result')}"
            for i in calls
        )
        raise AssertionError(
            f"Journal des appels INSi de « {ref} » : aucune vérification {result} avec {credential} ;\n"
            f"{listing or '  (vide)'}"
        )
