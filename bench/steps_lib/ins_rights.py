"""INS identity steps: fine permissions (who sees the INS, who may call INSi), set by the titulaire
through the driver API and checked on what another account then sees or may do."""

from __future__ import annotations

from bench.steps_lib import ins
from bench.steps_lib.state import ScenarioBench
from bench.targets.errors import BenchError

INS_PERMISSIONS = ("ins.voir_matricule", "insi.appeler", "patients.lire", "patients.modifier")


def withdraw(bench: ScenarioBench, login: str, account: str, permission: str) -> None:
    """`login` removes `permission` from `account` (the account's effective set, written back whole)."""
    if permission not in INS_PERMISSIONS:
        raise BenchError(f"Scénario mal écrit : droit « {permission} » ({', '.join(INS_PERMISSIONS)})")
    session = ins.acting(bench, login)
    current = bench.target.call("GET", f"/accounts/{account}/permissions", session=session).json_object()
    granted = current.get("permissions")
    if not isinstance(granted, list) or permission not in granted:
        raise AssertionError(
            f"Le compte « {account} » n'a pas le droit « {permission} » à retirer : {granted!r}"
        )
    wanted = sorted(p for p in granted if p != permission)
    outcome = ins.act(
        bench,
        session,
        "PUT",
        f"/accounts/{account}/permissions",
        f"Retrait du droit « {permission} » au compte « {account} »",
        json={"permissions": wanted},
    )
    kept = ins.require_ok(outcome).get("permissions")
    if not isinstance(kept, list) or permission in kept:
        raise AssertionError(f"Le droit « {permission} » est toujours accordé à « {account} » : {kept!r}")


def check_forbidden(bench: ScenarioBench, permission: str) -> None:
    outcome = ins.check_refused(bench, 403, "acces_refuse")
    if outcome.problem.get("permission") != permission:
        raise AssertionError(
            f"Refus 403 sans nommer le droit « {permission} » (permission : {outcome.problem.get('permission')!r}) : "
            f"{outcome.detail()}"
        )


def read_as(bench: ScenarioBench, login: str, ref: str) -> None:
    """`login` opens the patient's file (journaled as an access to the INS when it has one)."""
    session = ins.acting(bench, login)
    pid = ins.patient_id(bench, ref)
    outcome = ins.act(
        bench, session, "GET", f"/patients/{pid}", f"Lecture du dossier « {ref} » par « {login} »"
    )
    ins.require_ok(outcome)


def check_sees_matricule(bench: ScenarioBench, login: str, ref: str, matricule: str) -> None:
    data = ins.read_patient(bench, ref, session=ins.acting(bench, login))
    shown = ins.ins_of(data)
    if shown is None or shown.get("matricule") != matricule:
        raise AssertionError(
            f"Le compte « {login} » ne voit pas le matricule {matricule} de « {ref} » : {data.get('ins')}"
        )


def check_masked(bench: ScenarioBench, login: str, ref: str) -> None:
    data = ins.read_patient(bench, ref, session=ins.acting(bench, login))
    seeded = ins.local_patient(bench, ref)
    if ins.ins_of(data) is not None or data.get("ins_masked") is not True:
        raise AssertionError(
            f"Le compte « {login} » voit l'INS de « {ref} » sans le droit ins.voir_matricule : "
            f"ins = {data.get('ins')!r}, ins_masked = {data.get('ins_masked')!r}"
        )
    if seeded is not None and seeded.matricule and seeded.matricule in str(data):
        raise AssertionError(
            f"Le matricule {seeded.matricule} figure quand même dans le dossier lu par « {login} »"
        )
