"""INS identity steps: what the LGO keeps track of — the journal of INS accesses, the journal of INSi
calls with everything INSi returned, the history of identity statuses, and the audit trail of
identity reads and changes — read through the driver API as the titulaire."""

from __future__ import annotations

import json
from typing import Any

from bench.steps_lib import ins, ins_insi
from bench.steps_lib.state import ScenarioBench


def _items(bench: ScenarioBench, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
    answer = bench.target.call("GET", path, session=ins.reader(bench), params=params)
    return ins.items_of(answer)


def _line(item: dict[str, Any]) -> str:
    keys = ("at", "account", "action", "operation", "credential", "code_cr", "matricule_returned", "result")
    return "  " + ", ".join(f"{key}={item.get(key)}" for key in keys if item.get(key) is not None)


def _listing(items: list[dict[str, Any]]) -> str:
    return "\n".join(_line(item) for item in items) or "  (journal vide)"


# --- journal of INSi calls -------------------------------------------------------------------------


def insi_calls(bench: ScenarioBench, ref: str) -> list[dict[str, Any]]:
    return _items(bench, "/journals/insi-calls", {"patient_id": ins.patient_id(bench, ref)})


def check_insi_call(
    bench: ScenarioBench,
    ref: str,
    login: str,
    *,
    credential: str | None = None,
    code: str | None = None,
    action: str | None = None,
) -> dict[str, Any]:
    items = insi_calls(bench, ref)
    for item in items:
        if (
            item.get("account") == login
            and item.get("at")
            and (credential is None or item.get("credential") == credential)
            and (code is None or item.get("code_cr") == code)
            and (action is None or item.get("action") == action)
        ):
            return item
    wanted = ", ".join(p for p in (f"par {login}", credential, code and f"CR {code}", action) if p)
    raise AssertionError(
        f"Journal des appels INSi du LGO pour « {ref} » : aucun appel {wanted} ;\n{_listing(items)}"
    )


def check_keeps_returned_data(bench: ScenarioBench, ref: str, person_id: str) -> None:
    """Everything INSi returned is kept: matricule, OID and each former matricule (INSHISTO)."""
    person = ins.person(bench, person_id)
    items = insi_calls(bench, ref)
    for item in items:
        if item.get("matricule_returned") == person.matricule and item.get("oid") == person.oid:
            missing = [
                h.matricule for h in person.history if h.matricule not in json.dumps(item.get("history"))
            ]
            if missing:
                raise AssertionError(
                    f"Le journal des appels INSi garde l'INS de « {person_id} » mais pas son historique "
                    f"{', '.join(missing)} : history = {item.get('history')!r}"
                )
            return
    raise AssertionError(
        f"Le journal des appels INSi du LGO ne garde pas l'INS renvoyé pour « {ref} » ({person.matricule}, "
        f"{person.oid}) :\n{_listing(items)}"
    )


def check_failed_call(bench: ScenarioBench, ref: str) -> None:
    items = insi_calls(bench, ref)
    if not any(not item.get("code_cr") and (item.get("fault_code") or item.get("error")) for item in items):
        raise AssertionError(
            f"L'appel INSi en échec pour « {ref} » n'est pas dans le journal du LGO :\n{_listing(items)}"
        )


def check_matches_bench(bench: ScenarioBench, ref: str) -> None:
    """Each INSi call the simulator answered appears in the LGO's journal, with the same CR."""
    ours = sorted(str((r.get("correlation") or {}).get("code_cr")) for r in ins_insi.bench_calls(bench))
    items = insi_calls(bench, ref)
    theirs = sorted(str(item.get("code_cr")) for item in items if item.get("code_cr"))
    if ours != theirs:
        raise AssertionError(
            f"Le journal du banc compte {len(ours)} appel(s) INSi (CR {', '.join(ours) or '-'}) mais le journal "
            f"du LGO pour « {ref} » en montre {len(theirs)} (CR {', '.join(theirs) or '-'}) :\n{_listing(items)}"
        )


def check_verification_call(bench: ScenarioBench, ref: str, login: str, result: str) -> None:
    item = check_insi_call(bench, ref, login, action="verification")
    results = [i.get("result") for i in insi_calls(bench, ref) if i.get("action") == "verification"]
    if result not in results:
        raise AssertionError(
            f"Vérification de « {ref} » journalisée sans le résultat {result} : {results} ({item})"
        )


# --- journal of INS accesses -----------------------------------------------------------------------


def check_ins_access(bench: ScenarioBench, ref: str, login: str) -> None:
    items = _items(bench, "/journals/ins-access", {"patient_id": ins.patient_id(bench, ref)})
    if not any(item.get("account") == login and item.get("at") for item in items):
        raise AssertionError(
            f"Journal des accès INS : aucun accès de « {login} » à « {ref} » ;\n{_listing(items)}"
        )


# --- status history --------------------------------------------------------------------------------


def status_history(bench: ScenarioBench, ref: str) -> list[dict[str, Any]]:
    pid = ins.patient_id(bench, ref)
    answer = bench.target.call("GET", f"/patients/{pid}/status-history", session=ins.reader(bench))
    data = answer.data if isinstance(answer.data, list) else answer.json_object().get("items")
    if not isinstance(data, list):
        raise AssertionError(f"Historique des statuts de « {ref} » illisible : {answer.text[:300]}")
    return [item for item in data if isinstance(item, dict)]


def _author_is(bench: ScenarioBench, item: dict[str, Any], login: str) -> bool:
    from bench.steps_lib import world as world_data

    author = item.get("author")
    if isinstance(author, dict):
        author = author.get("login") or author.get("display_name")
    return author in (login, world_data.account(bench.world, login).display_name)


def check_history(bench: ScenarioBench, ref: str, rows: list[tuple[str, str, str]]) -> None:
    """The (old, new, author) changes appear in this order, each with its date."""
    history = status_history(bench, ref)
    position = 0
    for old, new, login in rows:
        while position < len(history):
            item = history[position]
            position += 1
            if (
                item.get("old") == old
                and item.get("new") == new
                and item.get("at")
                and _author_is(bench, item, login)
            ):
                break
        else:
            listing = "\n".join(
                f"  {i.get('at')} {i.get('old')} -> {i.get('new')} par {i.get('author')} ({i.get('reason')})"
                for i in history
            )
            raise AssertionError(
                f"Historique des statuts de « {ref} » : pas de passage {old} -> {new} par « {login} » "
                f"(dans l'ordre attendu) ;\n{listing or '  (vide)'}"
            )


_RANK = {"PROV": 0, "RECUP": 1, "VALI": 1, "QUAL": 2}


def check_downgraded(bench: ScenarioBench, ref: str, before: str, login: str) -> None:
    """The status went down from `before` (QUAL may become VALI or PROV, depending on whether the
    document check still holds) and the history names that change and its author."""
    status = str(ins.read_patient(bench, ref).get("status"))
    if _RANK.get(status, 99) >= _RANK.get(before, -1):
        raise AssertionError(f"Le statut du patient « {ref} » n'a pas baissé depuis {before} : {status}")
    check_history(bench, ref, [(before, status, login)])


def check_history_reason(bench: ScenarioBench, ref: str, reason: str) -> None:
    history = status_history(bench, ref)
    if not any(ins.fold(reason) in ins.fold(str(item.get("reason"))) for item in history):
        raise AssertionError(
            f"Le motif « {reason} » n'apparaît pas dans l'historique des statuts de « {ref} »"
        )


# --- audit trail -----------------------------------------------------------------------------------


def patient_audit(bench: ScenarioBench, ref: str) -> list[dict[str, Any]]:
    pid = ins.patient_id(bench, ref)
    items = _items(bench, "/audit", {"object_id": pid, "limit": "500"})
    return [
        item for item in items if item.get("object_type") == "patient" and str(item.get("object_id")) == pid
    ]


def _audit_listing(items: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {i.get('at')} {i.get('action')} par {i.get('account')} : {i.get('summary')}" for i in items
    )


def check_audit_change(bench: ScenarioBench, ref: str, login: str, value: str) -> None:
    """Who, when and what: a change by `login` whose details carry the new value."""
    items = patient_audit(bench, ref)
    for item in items:
        action = str(item.get("action"))
        details = json.dumps(item.get("details"), ensure_ascii=False)
        if (
            action.startswith("patient.")
            and "modif" in action
            and item.get("account") == login
            and item.get("at")
            and ins.fold(value) in ins.fold(details)
        ):
            return
    raise AssertionError(
        f"Piste d'audit : aucune modification de « {ref} » par « {login} » portant « {value} » ;\n"
        f"{_audit_listing(items) or '  (aucune entrée sur ce patient)'}"
    )


def check_audit_read(bench: ScenarioBench, ref: str, login: str) -> None:
    items = patient_audit(bench, ref)
    if not any(
        str(i.get("action")).startswith("patient.")
        and "consult" in str(i.get("action"))
        and i.get("account") == login
        for i in items
    ):
        raise AssertionError(
            f"Piste d'audit : aucune consultation de « {ref} » par « {login} » ;\n"
            f"{_audit_listing(items) or '  (aucune entrée sur ce patient)'}"
        )
