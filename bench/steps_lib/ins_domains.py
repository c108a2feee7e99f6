"""INS identity steps, identities from another identification domain (W1-INS-21, règles 30, 52, 53,
55): an INS read from the DataMatrix of a document, or received with a partner's data, is re-verified
through INSi (unattended: INSI-AUTO) and journaled before anything is stored; on KO or an INSi
failure it is never integrated (`POST /patients/import-ins`).

The DataMatrix texts are built from world persons with the bench's codec (bench contract
docs/contracts/ins-datamatrix.md), as the scanner at the counter would type them.
"""

from __future__ import annotations

from typing import Any

from bench.steps_lib import ins, ins_insi, ins_part2
from bench.steps_lib.state import ScenarioBench
from bench.targets.errors import BenchError
from protocols import identifiers, ins_datamatrix
from scenarios import Person

IMPORT = "/patients/import-ins"
INSI_CALLS = "/journals/insi-calls"


def offered(bench: ScenarioBench) -> bool:
    """Probe with an empty body: an LGO that integrates such data refuses it (422), others do not know
    the action at all (404/405)."""
    return ins_part2.offers(bench, "POST", IMPORT, json={})


# --- DataMatrix texts --------------------------------------------------------------------------------


def payload_of(person: Person) -> ins_datamatrix.InsDataMatrix:
    if not person.matricule or not person.oid:
        raise BenchError(f"Scénario mal écrit : la personne « {person.id} » n'a pas d'INS à imprimer")
    return ins_datamatrix.InsDataMatrix(
        matricule=person.matricule,
        oid=person.oid,
        birth_name=person.birth_name,
        first_names=tuple(person.first_names),
        sex=person.sex,
        birth_date=str(person.birth_date),
        birth_place=person.birth_place,
    )


def datamatrix_text(
    bench: ScenarioBench, person_id: str, *, matricule_of: str | None = None, wrong_key: bool = False
) -> str:
    """The DataMatrix of a person's identity sheet; `matricule_of` puts another person's INS with these
    traits (a document mixing two identities); `wrong_key` corrupts the matricule's key (a misread)."""
    payload = payload_of(ins.person(bench, person_id))
    if matricule_of is not None:
        other = payload_of(ins.person(bench, matricule_of))
        payload = ins_datamatrix.InsDataMatrix(
            other.matricule,
            other.oid,
            payload.birth_name,
            payload.first_names,
            payload.sex,
            payload.birth_date,
            payload.birth_place,
        )
    text = ins_datamatrix.encode(payload)
    if wrong_key:
        # The codec refuses to encode a wrong key: the field is altered in the encoded text (S1 is fixed).
        num13, key = identifiers.split_matricule(payload.matricule)
        bad = f"{int(key) % 97 + 1:02d}"
        text = text.replace("S1" + payload.matricule, "S1" + num13 + bad, 1)
    return text


# --- actions -----------------------------------------------------------------------------------------


def import_datamatrix(bench: ScenarioBench, login: str, text: str, what: str) -> ins.Outcome:
    session = ins.acting(bench, login)
    return ins.act(
        bench,
        session,
        "POST",
        IMPORT,
        f"Intégration de l'identité lue sur {what}",
        json={"source": "datamatrix", "payload": text},
    )


def import_document(bench: ScenarioBench, login: str, person_id: str) -> ins.Outcome:
    """The INS and traits of a person as a partner's document carries them (CDA header, letter)."""
    person = ins.person(bench, person_id)
    payload = payload_of(person)
    session = ins.acting(bench, login)
    return ins.act(
        bench,
        session,
        "POST",
        IMPORT,
        f"Intégration de l'identité « {person_id} » reçue d'un autre domaine",
        json={
            "source": "document",
            "ins": {"matricule": payload.matricule, "oid": payload.oid},
            "traits": {
                "birth_name": person.birth_name,
                "first_names": list(person.first_names),
                "sex": person.sex,
                "birth_date": str(person.birth_date),
                "birth_place": person.birth_place,
            },
        },
    )


# --- the LGO's answers -------------------------------------------------------------------------------


def _result(bench: ScenarioBench) -> dict[str, Any]:
    outcome = ins.last(bench)
    data = ins.require_ok(outcome)
    if data.get("result") not in ("integre", "non_integre"):
        raise AssertionError(
            f"{outcome.action} : résultat « {data.get('result')} » (integre ou non_integre attendu)"
        )
    return data


def check_integrated(bench: ScenarioBench, ref: str, status: str) -> None:
    data = _result(bench)
    if data["result"] != "integre" or not data.get("patient_id"):
        raise AssertionError(
            f"L'identité « {ref} » n'est pas intégrée : {data.get('result')} ({data.get('reason')})"
        )
    ins.remember_patient(bench, ref, str(data["patient_id"]))
    ins.check_status(bench, ref, status)


def check_not_integrated(bench: ScenarioBench) -> None:
    data = _result(bench)
    if data["result"] != "non_integre" or data.get("patient_id"):
        raise AssertionError(
            f"L'identité a été intégrée (patient {data.get('patient_id')}) alors que la vérification INSi "
            f"n'est pas concluante : {data}"
        )
    ins_part2.check_readable(data.get("reason"), "Refus d'intégration")


def check_nothing_stored(bench: ScenarioBench, person_id: str) -> None:
    """No identity of the LGO holds this person's INS or its traits (name and birth date)."""
    person = ins.person(bench, person_id)
    reader = ins.reader(bench)
    holders = ins.items_of(
        bench.target.call("GET", "/patients", session=reader, params={"matricule": person.matricule})
    )
    born = ins.items_of(
        bench.target.call("GET", "/patients", session=reader, params={"birth_date": str(person.birth_date)})
    )
    same = [item for item in born if ins.fold(item.get("birth_name")) == ins.fold(person.birth_name)]
    if holders or same:
        listing = "; ".join(ins.describe_summary(item) for item in [*holders, *same])
        raise AssertionError(f"Une identité de « {person_id} » a été enregistrée dans le LGO : {listing}")


def insi_calls(bench: ScenarioBench, ref: str | None = None) -> list[dict[str, Any]]:
    params = {"patient_id": ins.patient_id(bench, ref)} if ref else {}
    answer = bench.target.call("GET", INSI_CALLS, session=ins.reader(bench), params=params)
    return ins.items_of(answer)


def check_lgo_verification(bench: ScenarioBench, result: str, ref: str | None = None) -> None:
    """The LGO journaled an unattended verification (INSI-AUTO) with that result, for the patient or,
    when nothing was integrated, without one."""
    items = insi_calls(bench, ref)
    if not any(item.get("credential") == "INSI-AUTO" and item.get("result") == result for item in items):
        listing = "\n".join(
            f"  {i.get('at')} {i.get('action')} {i.get('credential')} CR {i.get('code_cr')} résultat {i.get('result')}"
            for i in items
        )
        where = f"du patient « {ref} »" if ref else "du LGO"
        raise AssertionError(
            f"Journal des appels INSi {where} : aucune revérification INSI-AUTO de résultat {result} ;\n"
            f"{listing or '  (journal vide)'}"
        )


def check_bench_called(bench: ScenarioBench, credential: str) -> None:
    """INSi received at least one call of this scenario with that credential."""
    records = ins_insi.bench_calls(bench)
    if not any((r.get("correlation") or {}).get("auth") == credential for r in records):
        described = ", ".join(
            f"{r.get('operation')} ({(r.get('correlation') or {}).get('auth')})" for r in records
        )
        raise AssertionError(
            f"INSi n'a reçu aucun appel avec le certificat {credential} : {described or 'aucun appel'}"
        )
