"""INS identity steps, CPx mode of INSi (W1-INS-22, SEL-MP-043): a professional logged in with a CPS
card calls INSi with card authentication — TLS with the professional's credentials and the PS
assertion signed ON the card (CONVENTIONS "CPx mode"). The bench checks what INSi received (the
assertion verified, the PS id, no error finding) and that the card itself signed (cards journal).
"""

from __future__ import annotations

from typing import Any

from bench.steps_lib import ins, ins_insi, journal
from bench.steps_lib import world as world_data
from bench.steps_lib.sessions import CPS_SLOT
from bench.steps_lib.state import ScenarioBench
from bench.targets.errors import BenchError

CPX = "CPx"  # the simulator's `auth` correlation and the LGO journal's `credential` in CPx mode
SIGNATURE_APDUS = ("PSO CDS", "INTERNAL AUTHENTICATE")


def _card_signatures(bench: ScenarioBench, card_id: str) -> int:
    return sum(
        1
        for record in journal.exchanges(bench, "cards")
        if record.get("operation") in SIGNATURE_APDUS
        and (record.get("correlation") or {}).get("card_id") == card_id
    )


def _cps_card_id(bench: ScenarioBench) -> str | None:
    card = bench.last.get("cps_card")
    return str(card.id) if card is not None else bench.world.default_cards.cps


def _remember_signatures(bench: ScenarioBench) -> None:
    card_id = _cps_card_id(bench)
    if card_id:
        bench.remember("cpx.signatures", (card_id, _card_signatures(bench, card_id)))


def search(bench: ScenarioBench, login: str, ref: str) -> None:
    ins.snapshot(bench, ref)
    _remember_signatures(bench)
    session = ins.acting(bench, login)
    pid = ins.patient_id(bench, ref)
    outcome = ins.act(
        bench,
        session,
        "POST",
        f"/patients/{pid}/insi/search",
        f"Recherche INSi par les traits en mode CPx pour « {ref} »",
        json={"mode": "traits", "auth": "cpx"},
        patient_ref=ref,
    )
    bench.remember("ins.search", outcome)


def verify(bench: ScenarioBench, login: str, ref: str) -> None:
    ins.snapshot(bench, ref)
    _remember_signatures(bench)
    session = ins.acting(bench, login)
    pid = ins.patient_id(bench, ref)
    ins.act(
        bench,
        session,
        "POST",
        f"/patients/{pid}/insi/verify",
        f"Vérification INSi en mode CPx de l'INS de « {ref} »",
        json={"auth": "cpx"},
        patient_ref=ref,
    )


def remove_card(bench: ScenarioBench) -> None:
    bench.control.remove_card(CPS_SLOT)


# --- checks ------------------------------------------------------------------------------------------


def id_nat_ps_of(bench: ScenarioBench, login: str) -> str:
    account = world_data.account(bench.world, login)
    if account.professional_id is None:
        raise BenchError(f"Scénario mal écrit : le compte « {login} » n'a pas de carte CPS")
    return bench.world.professional(account.professional_id).id_nat_ps


def cpx_records(bench: ScenarioBench, kind: str, login: str) -> list[dict[str, Any]]:
    """This scenario's INSi exchanges of that kind in CPx mode signed for `login`'s professional."""
    operations = ins_insi.KINDS.get(kind)
    if operations is None:
        raise BenchError(
            f"Scénario mal écrit : sorte d'échange INSi « {kind} » ({', '.join(ins_insi.KINDS)})"
        )
    id_nat_ps = id_nat_ps_of(bench, login)
    records = journal.exchanges(bench, "insi")
    found = [
        r
        for r in records
        if r.get("operation") in operations
        and (r.get("correlation") or {}).get("auth") == CPX
        and (r.get("correlation") or {}).get("ps") == id_nat_ps
    ]
    if not found:
        described = "\n".join(
            f"  {r.get('operation')} auth={(r.get('correlation') or {}).get('auth')} "
            f"ps={(r.get('correlation') or {}).get('ps')} CR {(r.get('correlation') or {}).get('code_cr')}"
            for r in records
        )
        raise AssertionError(
            f"Aucun échange INSi {kind} en mode CPx au nom de {id_nat_ps} (« {login} ») ; échanges :\n"
            f"{described or '  (aucun)'}"
        )
    return found


def check_bench_cpx(bench: ScenarioBench, kind: str, login: str, code: str | None = None) -> None:
    records = cpx_records(bench, kind, login)
    if code is not None and not any((r.get("correlation") or {}).get("code_cr") == code for r in records):
        codes = ", ".join(str((r.get("correlation") or {}).get("code_cr")) for r in records)
        raise AssertionError(f"Échanges INSi en mode CPx aux codes retour {codes} et non {code}")


def check_no_error_finding(bench: ScenarioBench) -> None:
    """The simulator's conformance checks (assertion, addressing, contexts, traits) found no error in
    the CPx exchanges of the scenario."""
    records = [r for r in journal.exchanges(bench, "insi") if (r.get("correlation") or {}).get("auth") == CPX]
    if not records:
        raise AssertionError("Aucun échange INSi en mode CPx dans ce scénario")
    errors = [
        f"  {finding.get('rule')} : {finding.get('message')}"
        for record in records
        for finding in record.get("findings") or []
        if finding.get("severity") == "error"
    ]
    if errors:
        raise AssertionError(
            "Le simulateur INSi relève des erreurs sur les échanges CPx :\n" + "\n".join(errors)
        )


def check_card_signed(bench: ScenarioBench) -> None:
    """The CPS card itself signed during the CPx action (a signature APDU after the action began)."""
    card_id, before = bench.recall("cpx.signatures")
    after = _card_signatures(bench, card_id)
    if after <= before:
        raise AssertionError(
            f"La carte CPS « {card_id} » n'a rien signé pendant l'appel CPx ({' ou '.join(SIGNATURE_APDUS)} "
            "absent du journal des cartes) : l'assertion n'a pas été signée sur la carte"
        )


def check_refused_without_card(bench: ScenarioBench) -> None:
    """CPx asked in a session without a usable CPS card: a refusal of the LGO (4xx, the session stays
    valid), explained in French."""
    outcome = ins.last(bench)
    status = outcome.answer.status
    if outcome.ok or not 400 <= status < 500 or status in (401, 404):
        raise AssertionError(
            f"{outcome.action} : le LGO devait refuser le mode CPx sans carte CPS (statut {status}, "
            f"code « {outcome.problem.get('code')} ») : {outcome.detail()}"
        )
    ins.check_clear_message(bench)
