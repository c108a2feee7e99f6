"""INS identity steps around INSi: the LGO's searches (traits, carte Vitale), the reprise of the
returned identity, the verification of a stored INS, and what the INSi simulator journaled of them
(read through the control plane, never its database)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from lxml import etree

from bench.steps_lib import ins, journal
from bench.steps_lib.state import ScenarioBench
from bench.targets.errors import BenchError, ControlPlaneError
from protocols import xmlsafe

OP_TRAITS = "rechercherInsAvecTraitsIdentite"
OP_VITALE = "rechercherInsAvecCarteVitale"
OP_VERIFY = "verifierIns"  # the simulator's name for a traits search carrying the bench marker
KINDS = {
    "par les traits": (OP_TRAITS,),
    "par carte Vitale": (OP_VITALE,),
    "de vérification": (OP_VERIFY, OP_TRAITS),
}
CREDENTIALS = ("INSI-MANU", "INSI-AUTO", "CPx")
NS_RECSANS = "http://www.cnamts.fr/INSiRecSans"
VITALE_SLOT = 0


# --- actions of the LGO ----------------------------------------------------------------------------


def search_traits(bench: ScenarioBench, login: str, ref: str) -> None:
    ins.snapshot(bench, ref)
    session = ins.acting(bench, login)
    pid = ins.patient_id(bench, ref)
    outcome = ins.act(
        bench,
        session,
        "POST",
        f"/patients/{pid}/insi/search",
        f"Recherche INSi par les traits pour « {ref} »",
        json={"mode": "traits"},
        patient_ref=ref,
    )
    bench.remember("ins.search", outcome)


def insert_vitale(bench: ScenarioBench, card_id: str) -> None:
    if not any(card.id == card_id for card in bench.world.vitale_cards):
        raise BenchError(f"Scénario mal écrit : carte Vitale « {card_id} » absente du monde")
    bench.control.insert_card(VITALE_SLOT, card_id)


def vitale_beneficiaries(bench: ScenarioBench, login: str) -> list[dict[str, Any]]:
    session = ins.acting(bench, login)
    outcome = ins.act(bench, session, "GET", "/cards/vitale", "Lecture de la carte Vitale")
    found = ins.require_ok(outcome).get("beneficiaries")
    if not isinstance(found, list):
        raise AssertionError(
            f"Lecture de la carte Vitale sans « beneficiaries » : {outcome.answer.text[:300]}"
        )
    return [item for item in found if isinstance(item, dict)]


def _digits(value: Any) -> str:
    return re.sub(r"\D", "", str(value or ""))


def beneficiary_index(beneficiaries: list[dict[str, Any]], person: Any) -> Any:
    """The card line of a world person: same first name and birth date (twins differ by first name)."""
    wanted = ins.fold(person.first_names[0]) if person.first_names else ""
    for item in beneficiaries:
        if ins.fold(item.get("first_name")) == wanted and _digits(item.get("birth_date")) == _digits(
            person.birth_date
        ):
            return item.get("index")
    listing = "; ".join(
        f"{b.get('index')}: {b.get('first_name')} {b.get('birth_date')}" for b in beneficiaries
    )
    raise AssertionError(
        f"Bénéficiaire {person.id} absent de la carte Vitale lue par le LGO ({listing or 'aucun'})"
    )


def search_vitale(bench: ScenarioBench, login: str, ref: str, beneficiary_id: str) -> None:
    index = beneficiary_index(vitale_beneficiaries(bench, login), ins.person(bench, beneficiary_id))
    ins.snapshot(bench, ref)
    session = ins.acting(bench, login)
    pid = ins.patient_id(bench, ref)
    outcome = ins.act(
        bench,
        session,
        "POST",
        f"/patients/{pid}/insi/search",
        f"Recherche INSi par carte Vitale pour « {ref} » (bénéficiaire {beneficiary_id})",
        json={"mode": "vitale", "vitale": {"beneficiary_index": index}},
        patient_ref=ref,
    )
    bench.remember("ins.search", outcome)


def accept(bench: ScenarioBench, login: str, ref: str) -> None:
    """Intègre l'identité INSi: the candidate of the last search of this patient."""
    outcome: ins.Outcome = bench.recall("ins.search")
    data = ins.require_ok(outcome)
    candidate_id = data.get("candidate_id")
    if not candidate_id:
        raise AssertionError(
            f"{outcome.action} : aucune identité candidate à intégrer (CR {data.get('code_cr')})"
        )
    ins.snapshot(bench, ref)
    session = ins.acting(bench, login)
    pid = ins.patient_id(bench, ref)
    ins.act(
        bench,
        session,
        "POST",
        f"/patients/{pid}/insi/accept",
        f"Intégration de l'identité INSi pour « {ref} »",
        json={"candidate_id": candidate_id},
        patient_ref=ref,
    )


def verify(bench: ScenarioBench, login: str, ref: str, auth: str | None = None) -> None:
    ins.snapshot(bench, ref)
    session = ins.acting(bench, login)
    pid = ins.patient_id(bench, ref)
    body = {"auth": auth} if auth else {}
    ins.act(
        bench,
        session,
        "POST",
        f"/patients/{pid}/insi/verify",
        f"Vérification INSi de l'INS de « {ref} »",
        json=body,
        patient_ref=ref,
    )


# --- the LGO's answers -----------------------------------------------------------------------------


def search_result(bench: ScenarioBench) -> dict[str, Any]:
    outcome: ins.Outcome = bench.recall("ins.search")
    data = ins.require_ok(outcome)
    if "code_cr" not in data:
        raise AssertionError(f"{outcome.action} : réponse sans « code_cr » : {outcome.answer.text[:300]}")
    return data


def check_code(bench: ScenarioBench, code: str) -> None:
    data = search_result(bench)
    if data.get("code_cr") != code:
        raise AssertionError(
            f"La recherche INSi aboutit au code retour {data.get('code_cr')} ({data.get('label')}) et non {code}"
        )
    if code != "00" and (data.get("candidate") or data.get("candidate_id")):
        raise AssertionError(
            f"Code retour {code} mais une identité candidate est proposée : {data.get('candidate')}"
        )


def _candidate(bench: ScenarioBench) -> dict[str, Any]:
    data = search_result(bench)
    candidate = data.get("candidate")
    if not isinstance(candidate, dict):
        raise AssertionError(f"Aucune identité renvoyée par INSi (code retour {data.get('code_cr')})")
    return candidate


def check_candidate_person(bench: ScenarioBench, person_id: str) -> None:
    """INSi returned this person's INS and traits, shown as they came (nothing typed over them)."""
    expected = ins.person(bench, person_id)
    candidate = _candidate(bench)
    given = ins.as_dict(candidate.get("ins"))
    if given.get("matricule") != expected.matricule or given.get("oid") != expected.oid:
        raise AssertionError(
            f"INSi devait renvoyer l'INS de « {person_id} » ({expected.matricule}, {expected.oid}) ; "
            f"renvoyé : {given}"
        )
    traits = ins.as_dict(candidate.get("traits"))
    if ins.fold(traits.get("birth_name")) != ins.fold(expected.birth_name) or str(
        traits.get("birth_date")
    ) != str(expected.birth_date):
        raise AssertionError(f"Traits renvoyés par INSi différents de ceux de « {person_id} » : {traits}")


def check_candidate_history(bench: ScenarioBench, matricule: str) -> None:
    history = _candidate(bench).get("history")
    if matricule not in str(history):
        raise AssertionError(f"L'historique d'INS renvoyé ne contient pas {matricule} : {history}")


def check_coherence(bench: ScenarioBench, refusal: str | None) -> None:
    """`refusal` None: the returned identity may be integrated; else the refusal code must be given."""
    data = search_result(bench)
    coherence = ins.as_dict(data.get("coherence"))
    refusals = ins.as_list(coherence.get("refusals"))
    codes = [str(item.get("code")) for item in refusals if isinstance(item, dict)]
    if refusal is None:
        if coherence.get("ok") is not True or codes:
            raise AssertionError(f"La reprise de l'identité INSi est signalée impossible : {refusals}")
    elif coherence.get("ok") is not False or refusal not in codes:
        raise AssertionError(
            f"La reprise devait être signalée impossible pour « {refusal} » ; cohérence : {coherence}"
        )


def check_reprise_refused(bench: ScenarioBench, refusal: str) -> None:
    outcome = ins.check_refused(bench, 422, "reprise_refusee")
    refusals = outcome.problem.get("refusals")
    if refusal not in str(refusals):
        raise AssertionError(
            f"Reprise refusée sans le motif « {refusal} » : {refusals!r} ({outcome.detail()})"
        )


def check_verification(bench: ScenarioBench, result: str, downgraded: bool) -> None:
    outcome = ins.last(bench)
    data = ins.require_ok(outcome)
    if data.get("result") != result:
        raise AssertionError(
            f"Vérification INSi au résultat {data.get('result')} et non {result} : {data.get('message')}"
        )
    if bool(data.get("downgraded")) != downgraded:
        raise AssertionError(
            f"Vérification {result} : statut {'non ' if downgraded else ''}abaissé à tort ({data})"
        )


def check_insi_refused(bench: ScenarioBench, code: str) -> None:
    if code not in ("insi_erreur", "insi_indisponible"):
        raise BenchError(f"Scénario mal écrit : code « {code} » (insi_erreur ou insi_indisponible)")
    ins.check_refused(bench, 502, code)
    ins.check_clear_message(bench)


# --- the INSi simulator's journal (control plane) --------------------------------------------------


def _records(bench: ScenarioBench) -> list[dict[str, Any]]:
    return journal.exchanges(bench, "insi")


def _describe(records: list[dict[str, Any]]) -> str:
    lines = [
        f"  {r.get('operation')} -> statut {(r.get('response') or {}).get('status')}, "
        f"CR {(r.get('correlation') or {}).get('code_cr')}, {(r.get('correlation') or {}).get('auth')}"
        for r in records
    ]
    return "\n".join(lines) or "  (aucun échange)"


def check_bench_exchange(
    bench: ScenarioBench,
    kind: str,
    *,
    credential: str | None = None,
    code: str | None = None,
    ins_value: str | None = None,
) -> dict[str, Any]:
    """An exchange of this scenario in the simulator's journal, of that kind, credential, CR, INS."""
    operations = KINDS.get(kind)
    if operations is None:
        raise BenchError(f"Scénario mal écrit : sorte d'échange INSi « {kind} » ({', '.join(KINDS)})")
    if credential is not None and credential not in CREDENTIALS:
        raise BenchError(f"Scénario mal écrit : certificat « {credential} » ({', '.join(CREDENTIALS)})")
    records = _records(bench)
    for record in records:
        correlation = record.get("correlation") or {}
        if (
            record.get("operation") in operations
            and (credential is None or correlation.get("auth") == credential)
            and (code is None or correlation.get("code_cr") == code)
            and (ins_value is None or correlation.get("ins") == ins_value)
        ):
            return record
    wanted = ", ".join(
        part
        for part in (
            kind,
            credential and f"certificat {credential}",
            code and f"CR {code}",
            ins_value and f"INS {ins_value}",
        )
        if part
    )
    raise AssertionError(
        f"Aucun échange INSi {wanted} dans le journal du banc ; échanges du scénario :\n{_describe(records)}"
    )


def check_no_bench_exchange(bench: ScenarioBench) -> None:
    records = _records(bench)
    if records:
        raise AssertionError(f"INSi ne devait pas être appelé ; journal du banc :\n{_describe(records)}")


def _request_birth_places(bench: ScenarioBench, record: dict[str, Any]) -> list[str]:
    sha = (record.get("request") or {}).get("body_sha256")
    if not sha:
        return []
    body, _ = bench.control.body(str(sha))
    try:
        root = xmlsafe.parse(body)
    except xmlsafe.XmlRejected:
        return []
    return [
        str(el.text).strip() for el in root.iter(etree.QName(NS_RECSANS, "LieuNaissance").text) if el.text
    ]


def check_request_birth_place(bench: ScenarioBench, cog: str) -> None:
    records = [r for r in _records(bench) if r.get("operation") in (OP_TRAITS, OP_VERIFY)]
    if not any(cog in _request_birth_places(bench, record) for record in records):
        raise AssertionError(
            f"Aucune requête INSi du scénario ne porte le lieu de naissance {cog} ; échanges :\n{_describe(records)}"
        )


def bench_calls(bench: ScenarioBench) -> list[dict[str, Any]]:
    """The INSi calls that reached the service and got an HTTP answer (what the LGO had to journal)."""
    return [
        r
        for r in _records(bench)
        if r.get("operation") in (OP_TRAITS, OP_VITALE, OP_VERIFY) and (r.get("response") or {}).get("status")
    ]


# --- acting on the simulator -----------------------------------------------------------------------


def forget_person(bench: ScenarioBench, person_id: str) -> None:
    """INSi no longer knows this person (e.g. a matricule withdrawn): `seed` with no matricule."""
    person = ins.person(bench, person_id).model_dump(mode="json")
    person["matricule"] = None
    url = f"{bench.control.base_url}/insi/seed"
    try:
        response = httpx.post(url, json={"persons": [person]}, timeout=15.0)
    except httpx.HTTPError as exc:
        raise ControlPlaneError(f"Plan de contrôle injoignable (POST {url}) : {exc}") from None
    if response.status_code >= 400:
        raise ControlPlaneError(
            f"Le plan de contrôle a refusé POST /insi/seed ({response.status_code}) : {response.text[:300]}",
            status=response.status_code,
        )


def lift_faults(bench: ScenarioBench) -> None:
    bench.control.clear_faults()
