"""INS identity steps: creating identities, the local search (recherche d'antériorité), changes of
traits, attributes douteuse/fictive, evidence, displayed traits and what the LGO would transmit."""

from __future__ import annotations

from typing import Any

from bench.steps_lib import ins
from bench.steps_lib.state import ScenarioBench
from bench.targets.errors import BenchError

# Answers to the table of an identity typed by hand (« champ | valeur »).
_SEXES = {"M": "M", "F": "F", "I": "I", "MASCULIN": "M", "FEMININ": "F", "FÉMININ": "F"}


# --- creation --------------------------------------------------------------------------------------


def person_body(bench: ScenarioBench, person_id: str) -> dict[str, Any]:
    """The identity of a world person as the counter types it from the ID document (its spelling,
    accents included), the strict traits from the INS traits when the document says nothing."""
    person = ins.person(bench, person_id)
    document = person.id_document
    body: dict[str, Any] = {
        "birth_name": document.birth_name if document else person.birth_name,
        "first_names": list(
            document.first_names if document and document.first_names else person.first_names
        ),
        "sex": person.sex,
        "birth_date": str(person.birth_date),
        "birth_place": person.birth_place,
    }
    used_name = (document.used_name if document else None) or person.used_name
    if used_name:
        body["used_name"] = used_name
    if person.used_first_name:
        body["used_first_name"] = person.used_first_name
    return body


def table_body(rows: list[tuple[str, str]]) -> dict[str, Any]:
    """An identity typed field by field (French trait names)."""
    body: dict[str, Any] = {}
    for label, value in rows:
        key = ins.trait_key(label)
        if key == "first_name":
            key = "first_names"
        body[key] = _typed(key, value)
    return body


def _typed(key: str, value: str) -> Any:
    text = value.strip()
    if key == "first_names":
        return text.replace(",", " ").split()
    if key == "birth_date":
        return ins.iso_date(text) if text else ""
    if key == "sex":
        sex = _SEXES.get(text.upper())
        if sex is None:
            raise BenchError(f"Scénario mal écrit : sexe « {value} » (M, F ou I)")
        return sex
    return text


def create(bench: ScenarioBench, login: str, ref: str, body: dict[str, Any]) -> str:
    """POST /patients as `login`; the identity must be created (201) and is remembered as `ref`."""
    session = ins.acting(bench, login)
    outcome = ins.act(bench, session, "POST", "/patients", f"Création de l'identité « {ref} »", json=body)
    data = ins.require_ok(outcome)
    if not data.get("id"):
        raise AssertionError(f"Identité « {ref} » créée sans identifiant : {outcome.answer.text[:300]}")
    ins.remember_patient(bench, ref, str(data["id"]))
    return str(data["id"])


def create_person(bench: ScenarioBench, login: str, person_id: str, *, five_only: bool = False) -> str:
    body = person_body(bench, person_id)
    if five_only:
        body = {key: body[key] for key in ins.STRICT_TRAITS}
    return create(bench, login, person_id, body)


def attempt_without(bench: ScenarioBench, login: str, person_id: str, trait: str) -> None:
    """A creation with one strict trait left empty, as an empty field of the form."""
    key = ins.trait_key(trait)
    key = "first_names" if key == "first_name" else key
    if key not in ins.STRICT_TRAITS:
        raise BenchError(f"Scénario mal écrit : « {trait} » n'est pas un trait strict")
    body = {name: value for name, value in person_body(bench, person_id).items() if name in ins.STRICT_TRAITS}
    body[key] = [] if key == "first_names" else (None if key == "birth_place" else "")
    session = ins.acting(bench, login)
    ins.act(bench, session, "POST", "/patients", f"Création de « {person_id} » sans {trait}", json=body)


def check_missing(bench: ScenarioBench, trait: str) -> None:
    outcome = ins.check_refused(bench, 422, "traits_obligatoires_manquants")
    key = ins.trait_key(trait)
    accepted = {key, "first_names", "first_name"} if key in ("first_name", "first_names") else {key}
    missing = outcome.problem.get("missing")
    if not isinstance(missing, list) or not accepted & {str(m) for m in missing}:
        raise AssertionError(
            f"Le refus de création ne nomme pas le trait manquant « {trait} » ({key}) : missing = {missing!r}"
        )


def check_created(bench: ScenarioBench, ref: str, status: str) -> None:
    data = ins.require_ok(ins.last(bench))
    if data.get("status") != status:
        raise AssertionError(f"Identité « {ref} » créée au statut {data.get('status')} et non {status}")
    ins.check_status(bench, ref, status)


# --- local search (recherche d'antériorité) --------------------------------------------------------


def search(bench: ScenarioBench, login: str, params: dict[str, str], what: str) -> None:
    session = ins.acting(bench, login)
    bench.remember("ins.search_params", params)
    ins.act(bench, session, "GET", "/patients", f"Recherche de patients ({what})", params=params)


def search_by_date(
    bench: ScenarioBench, login: str, date: str, name_prefix: str = "", first_name_prefix: str = ""
) -> None:
    params = {"birth_date": ins.iso_date(date)}
    if name_prefix:
        params["name_prefix"] = name_prefix
    if first_name_prefix:
        params["first_name_prefix"] = first_name_prefix
    search(bench, login, params, f"nés le {date}")


def found_ids(bench: ScenarioBench) -> list[str]:
    outcome = ins.last(bench)
    ins.require_ok(outcome)
    items = ins.items_of(outcome.answer)
    total = outcome.answer.json_object().get("total")
    if isinstance(total, int) and total < len(items):
        raise AssertionError(
            f"{outcome.action} : total {total} inférieur au nombre de résultats ({len(items)})"
        )
    bench.remember("ins.found", items)
    return [str(item.get("id")) for item in items]


def _listing(bench: ScenarioBench) -> str:
    items: list[dict[str, Any]] = bench.last.get("ins.found", [])
    return "; ".join(ins.describe_summary(item) for item in items) or "aucun"


def check_found_exactly(bench: ScenarioBench, refs: list[str]) -> None:
    found = found_ids(bench)
    expected = {ins.patient_id(bench, ref): ref for ref in refs}
    missing = [ref for pid, ref in expected.items() if pid not in found]
    extra = [pid for pid in found if pid not in expected]
    if missing or extra or len(found) != len(set(found)):
        raise AssertionError(
            f"Patients trouvés : {_listing(bench)} ; attendus exactement : {', '.join(refs)}"
            + (f" ; manquants : {', '.join(missing)}" if missing else "")
            + (f" ; en trop : {len(extra)}" if extra else "")
        )


def check_found_includes(bench: ScenarioBench, ref: str) -> None:
    if ins.patient_id(bench, ref) not in found_ids(bench):
        raise AssertionError(f"Le patient « {ref} » n'est pas dans les résultats : {_listing(bench)}")


def check_found_none(bench: ScenarioBench) -> None:
    if found_ids(bench):
        raise AssertionError(f"Aucun patient ne devait être trouvé ; trouvés : {_listing(bench)}")


# --- changes of traits -----------------------------------------------------------------------------


def change_trait(
    bench: ScenarioBench, login: str, ref: str, trait: str, value: str, reason: str | None
) -> None:
    key = ins.trait_key(trait)
    key = "first_names" if key == "first_name" else key
    payload: dict[str, Any] = {"changes": {key: _typed(key, value)}}
    if reason:
        payload["reason"] = reason
    ins.snapshot(bench, ref)
    session = ins.acting(bench, login)
    pid = ins.patient_id(bench, ref)
    ins.act(
        bench,
        session,
        "PATCH",
        f"/patients/{pid}",
        f"Modification du trait « {trait} » de « {ref} »",
        json=payload,
        patient_ref=ref,
    )


def check_trait_value(bench: ScenarioBench, ref: str, trait: str, value: str) -> None:
    key = ins.trait_key(trait)
    data = ins.read_patient(bench, ref)
    actual = data.get(key) if key in ("used_name", "used_first_name") else ins.traits_of(data).get(key)
    if key == "first_names":
        same = [ins.fold(n) for n in ins.first_names_list(actual)] == [ins.fold(n) for n in value.split()]
    elif key == "birth_date":
        same = actual == ins.iso_date(value)
    else:
        same = ins.fold(str(actual or "")) == ins.fold(value)
    if not same:
        raise AssertionError(
            f"Le trait « {trait} » du patient « {ref} » vaut « {actual} » et non « {value} »"
        )


# --- attributes, evidence --------------------------------------------------------------------------


def set_flag(bench: ScenarioBench, login: str, ref: str, flag: str, value: bool) -> None:
    if flag not in ("douteuse", "fictive", "homonyme"):
        raise BenchError(f"Scénario mal écrit : attribut « {flag} » (douteuse, fictive ou homonyme)")
    session = ins.acting(bench, login)
    pid = ins.patient_id(bench, ref)
    outcome = ins.act(
        bench,
        session,
        "PUT",
        f"/patients/{pid}/flags",
        f"Attribut « {flag} » de « {ref} »",
        json={flag: value},
        patient_ref=ref,
    )
    ins.require_ok(outcome)


def check_flag(bench: ScenarioBench, ref: str, flag: str) -> None:
    flags = ins.read_patient(bench, ref).get("flags") or {}
    if not flags.get(flag):
        raise AssertionError(f"Le patient « {ref} » n'a pas l'attribut « {flag} » : {flags}")


def add_evidence(bench: ScenarioBench, login: str, ref: str, kind: str) -> None:
    session = ins.acting(bench, login)
    pid = ins.patient_id(bench, ref)
    outcome = ins.act(
        bench,
        session,
        "POST",
        f"/patients/{pid}/evidence",
        f"Justificatif « {kind} » de « {ref} »",
        json={"type": kind, "checked": True},
        patient_ref=ref,
    )
    ins.require_ok(outcome)


# --- displayed traits, transmission ----------------------------------------------------------------

CORE_DISPLAYED = ("birth_name", "first_name", "birth_date", "sex")


def set_displayed(bench: ScenarioBench, login: str, labels: str) -> None:
    session = ins.acting(bench, login)
    keys = ins.trait_keys(labels) if labels.strip() else []
    outcome = ins.act(
        bench,
        session,
        "PUT",
        "/settings/displayed-traits",
        "Paramétrage des traits affichés",
        json={"traits": keys},
    )
    ins.require_ok(outcome)


def check_displayed(bench: ScenarioBench, ref: str, labels: str, shown: bool) -> None:
    displayed = ins.read_patient(bench, ref).get("displayed")
    if not isinstance(displayed, dict):
        raise AssertionError(f"Dossier du patient « {ref} » sans « displayed » : {displayed!r}")
    keys = ins.trait_keys(labels)
    wrong = [key for key in keys if (key in displayed) != shown]
    if wrong:
        verb = "n'affiche pas" if shown else "affiche"
        raise AssertionError(
            f"Le dossier du patient « {ref} » {verb} : {', '.join(wrong)} (affichés : {', '.join(displayed)})"
        )


def check_core_displayed(bench: ScenarioBench, ref: str) -> None:
    check_displayed(bench, ref, ", ".join(k for k, v in ins.TRAITS_FR.items() if v in CORE_DISPLAYED), True)


def transmission(bench: ScenarioBench, ref: str) -> dict[str, Any]:
    pid = ins.patient_id(bench, ref)
    answer = bench.target.call("GET", f"/patients/{pid}/transmission", session=ins.reader(bench))
    return answer.json_object()


def check_transmits_ins(bench: ScenarioBench, ref: str, person_id: str) -> None:
    expected = ins.person(bench, person_id)
    sent = transmission(bench, ref)
    given = ins.as_dict(sent.get("ins"))
    if given.get("matricule") != expected.matricule or given.get("oid") != expected.oid:
        raise AssertionError(
            f"Le LGO transmettrait pour « {ref} » l'INS {given or 'absent'} au lieu de {expected.matricule} "
            f"({expected.oid}) : {sent}"
        )


def check_transmits_traits_only(bench: ScenarioBench, ref: str) -> None:
    sent = transmission(bench, ref)
    if sent.get("ins"):
        raise AssertionError(
            f"Le LGO transmettrait le matricule INS d'une identité non qualifiée « {ref} » : {sent}"
        )
    traits = ins.as_dict(sent.get("traits"))
    if not traits.get("birth_name") or not traits.get("birth_date"):
        raise AssertionError(f"Le LGO ne transmettrait pas les traits de « {ref} » : {sent}")
    matricule = ins.local_patient(bench, ref)
    if matricule is not None and matricule.matricule and matricule.matricule in str(sent):
        raise AssertionError(
            f"Le matricule {matricule.matricule} figure dans la transmission de « {ref} » : {sent}"
        )
