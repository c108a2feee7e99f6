"""INS identity steps, identity evidence (W1-INS-13, règle 19): the pharmacy's configurable list of
evidence types with their trust level (`GET/PUT /settings/evidence-types`), manual validation by an
authorised account (`POST /patients/{id}/evidence`), and the automatic validation switch, off by
default and always switchable off."""

from __future__ import annotations

from typing import Any

from bench.steps_lib import ins
from bench.steps_lib.state import ScenarioBench
from bench.targets.errors import BenchError

SETTINGS = "/settings/evidence-types"
TRUST = ("haute", "faible")
_KEPT_KEYS = ("code", "label", "trust", "active")  # what a PUT writes back of each type


def evidence_settings(bench: ScenarioBench) -> dict[str, Any]:
    answer = bench.target.call("GET", SETTINGS, session=ins.reader(bench))
    data = answer.json_object()
    if not isinstance(data.get("types"), list) or not isinstance(data.get("auto_validation"), bool):
        raise AssertionError(
            f"Paramètres des justificatifs illisibles (types, auto_validation) : {answer.text[:300]}"
        )
    return data


def types_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in ins.as_list(data.get("types")) if isinstance(item, dict)]


def _listing(types: list[dict[str, Any]]) -> str:
    return ", ".join(
        f"{t.get('code')} ({t.get('trust')}{'' if t.get('active', True) else ', inactif'})" for t in types
    )


def check_listed(bench: ScenarioBench, rows: list[tuple[str, str]]) -> None:
    """Each (code, trust) is in the list, active, with that trust level."""
    types = types_of(evidence_settings(bench))
    by_code = {str(t.get("code")): t for t in types}
    wrong = []
    for code, trust in rows:
        if trust not in TRUST:
            raise BenchError(f"Scénario mal écrit : niveau de confiance « {trust} » (haute ou faible)")
        item = by_code.get(code)
        if item is None or item.get("trust") != trust or item.get("active", True) is False:
            wrong.append(f"{code} ({trust})")
    if wrong:
        raise AssertionError(
            f"Justificatifs absents ou mal classés : {', '.join(wrong)} ; liste du LGO : {_listing(types)}"
        )


def _write_types(
    bench: ScenarioBench, login: str, types: list[dict[str, Any]], action: str
) -> list[dict[str, Any]]:
    session = ins.acting(bench, login)
    body = [{key: item[key] for key in _KEPT_KEYS if key in item} for item in types]
    outcome = ins.act(bench, session, "PUT", SETTINGS, action, json={"types": body})
    return types_of(ins.require_ok(outcome))


def add_type(bench: ScenarioBench, login: str, code: str, label: str, trust: str) -> None:
    if trust not in TRUST:
        raise BenchError(f"Scénario mal écrit : niveau de confiance « {trust} » (haute ou faible)")
    types = [t for t in types_of(evidence_settings(bench)) if t.get("code") != code]
    types.append({"code": code, "label": label, "trust": trust})
    saved = _write_types(bench, login, types, f"Ajout du justificatif « {code} » ({trust})")
    if not any(t.get("code") == code and t.get("trust") == trust for t in saved):
        raise AssertionError(
            f"Le justificatif « {code} » n'apparaît pas dans la liste enregistrée : {_listing(saved)}"
        )


def withdraw_type(bench: ScenarioBench, login: str, code: str) -> None:
    """Takes a type off the list: `active: false` when the LGO keeps that flag, else removed."""
    types = types_of(evidence_settings(bench))
    if not any(t.get("code") == code for t in types):
        raise AssertionError(f"Justificatif « {code} » absent de la liste du LGO : {_listing(types)}")
    if any("active" in t for t in types):
        wanted = [{**t, "active": False} if t.get("code") == code else t for t in types]
    else:
        wanted = [t for t in types if t.get("code") != code]
    saved = _write_types(bench, login, wanted, f"Retrait du justificatif « {code} »")
    if any(t.get("code") == code and t.get("active", True) is not False for t in saved):
        raise AssertionError(f"Le justificatif « {code} » est toujours proposé : {_listing(saved)}")


def set_auto_validation(bench: ScenarioBench, login: str, on: bool) -> None:
    session = ins.acting(bench, login)
    verb = "Activation" if on else "Désactivation"
    outcome = ins.act(
        bench, session, "PUT", SETTINGS, f"{verb} de la validation automatique", json={"auto_validation": on}
    )
    saved = ins.require_ok(outcome).get("auto_validation")
    if saved is not on:
        raise AssertionError(f"{verb} de la validation automatique sans effet : auto_validation = {saved!r}")


def check_auto_validation_off(bench: ScenarioBench) -> None:
    if evidence_settings(bench)["auto_validation"] is not False:
        raise AssertionError("La validation automatique des justificatifs est activée")


# --- recording an evidence -------------------------------------------------------------------------


def record(bench: ScenarioBench, login: str, ref: str, kind: str, *, checked: bool) -> ins.Outcome:
    """`login` records the document `kind` shown for the patient; `checked` is the manual validation
    (the person checked it), False a document read but not checked by anyone."""
    session = ins.acting(bench, login)
    pid = ins.patient_id(bench, ref)
    ins.snapshot(bench, ref)
    what = "contrôlé" if checked else "non contrôlé"
    return ins.act(
        bench,
        session,
        "POST",
        f"/patients/{pid}/evidence",
        f"Justificatif « {kind} » {what} de « {ref} » par « {login} »",
        json={"type": kind, "checked": checked},
        patient_ref=ref,
    )


def _author_is(bench: ScenarioBench, author: Any, login: str) -> bool:
    from bench.steps_lib import world as world_data

    if isinstance(author, dict):
        author = author.get("login") or author.get("display_name")
    return author in (login, world_data.account(bench.world, login).display_name)


def check_recorded(bench: ScenarioBench, ref: str, kind: str, trust: str, login: str) -> None:
    """The patient's file lists the document with its trust level, checked by `login` (a manual
    validation: who and when)."""
    if trust not in TRUST:
        raise BenchError(f"Scénario mal écrit : niveau de confiance « {trust} » (haute ou faible)")
    data = ins.read_patient(bench, ref)
    items = [item for item in ins.as_list(data.get("evidence")) if isinstance(item, dict)]
    for item in items:
        if (
            item.get("type") == kind
            and item.get("checked") is True
            and item.get("at")
            and _author_is(bench, item.get("author"), login)
        ):
            if item.get("trust", trust) != trust:
                raise AssertionError(
                    f"Justificatif « {kind} » de « {ref} » de confiance « {item.get('trust')} » et non « {trust} »"
                )
            return
    listing = "; ".join(
        f"{i.get('type')} ({i.get('trust')}) contrôlé={i.get('checked')} par {i.get('author')} le {i.get('at')}"
        for i in items
    )
    raise AssertionError(
        f"Le dossier de « {ref} » ne montre pas le justificatif « {kind} » contrôlé par « {login} » : "
        f"{listing or 'aucun justificatif'}"
    )
