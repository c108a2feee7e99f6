"""The audit trail: append-only in the database itself, filters, CSV export (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from _lgo_support import driver_login
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from reference_lgo.runtime import Runtime
from reference_lgo.services import audit
from reference_lgo.services.context import Actor, Origin


def test_audit_rows_cannot_be_updated_or_deleted(runtime: Runtime) -> None:
    with runtime.db.session() as session:
        audit.record(session, Actor.bench(Origin("systeme")), datetime.now(UTC), "banc.initialiser", "essai")
    for statement in ("UPDATE audit_events SET summary = 'falsifié'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="ajout seul"), runtime.db.engine.begin() as connection:
            connection.execute(text(statement))
    with runtime.db.engine.connect() as connection:
        assert connection.execute(text("SELECT summary FROM audit_events")).scalars().all() == ["essai"]


def test_settings_change_is_audited_with_before_and_after(seeded: TestClient) -> None:
    titulaire = driver_login(seeded, "titulaire")
    answer = seeded.put(
        "/driver/v1/settings", headers=titulaire, json={"idam": "IDAM-NOUVEAU", "inactivity_minutes": 20}
    )
    assert answer.status_code == 200
    items = seeded.get(
        "/driver/v1/audit",
        headers=titulaire,
        params={"action": "parametres.modifier", "account": "titulaire"},
    ).json()["items"]
    assert len(items) == 1
    event = items[0]
    assert event["details"] == {
        "avant": {"idam": "IDAM-BANC-01", "inactivity_minutes": 15},
        "apres": {"idam": "IDAM-NOUVEAU", "inactivity_minutes": 20},
    }
    assert event["channel"] == "driver" and event["auth_method"] == "password"
    assert event["ip"] == "testclient"
    assert "IDAM" in event["summary"]
    # Saving the same values again changes nothing and writes nothing.
    seeded.put("/driver/v1/settings", headers=titulaire, json={"idam": "IDAM-NOUVEAU"})
    again = seeded.get(
        "/driver/v1/audit",
        headers=titulaire,
        params={"action": "parametres.modifier", "account": "titulaire"},
    )
    assert again.json()["total"] == 1


def test_filters_and_paging(seeded: TestClient) -> None:
    titulaire = driver_login(seeded, "titulaire")
    driver_login(seeded, "adjoint")
    everything = seeded.get("/driver/v1/audit", headers=titulaire, params={"limit": 2}).json()
    assert everything["limit"] == 2 and len(everything["items"]) == 2
    assert everything["total"] > 2
    ids = [item["id"] for item in everything["items"]]
    assert ids == sorted(ids, reverse=True)  # most recent first
    logins = seeded.get(
        "/driver/v1/audit", headers=titulaire, params={"action": "connexion", "account": "adjoint"}
    ).json()
    assert logins["total"] == 1
    future = seeded.get("/driver/v1/audit", headers=titulaire, params={"since": "2999-01-01T00:00:00"}).json()
    assert future["total"] == 0
    family = seeded.get("/driver/v1/audit", headers=titulaire, params={"action": "compte."}).json()
    assert family["total"] >= 6 and {i["action"] for i in family["items"]} <= {
        "compte.creer",
        "compte.modifier",
    }


def test_csv_export_is_titulaire_only_and_audited(seeded: TestClient) -> None:
    adjoint = driver_login(seeded, "adjoint")
    assert seeded.get("/driver/v1/audit", headers=adjoint).status_code == 200  # adjoint may read
    assert seeded.get("/driver/v1/audit/export", headers=adjoint).status_code == 403  # not export
    titulaire = driver_login(seeded, "titulaire")
    answer = seeded.get("/driver/v1/audit/export", headers=titulaire)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    text_body = answer.content.decode("utf-8")
    assert text_body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text_body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0]["action"] == "compte.creer"  # oldest first
    assert rows[-1]["action"] == "audit.exporter"  # the export is in its own file
    assert rows[-1]["compte"] == "titulaire"
    assert {row["libelle_action"] for row in rows} >= {"Création de compte", "Connexion", "Accès refusé"}


def test_csv_cells_cannot_inject_formulas(seeded: TestClient) -> None:
    titulaire = driver_login(seeded, "titulaire")
    seeded.patch("/driver/v1/accounts/adjoint", headers=titulaire, json={"display_name": '=HYPERLINK("x")'})
    driver_login(seeded, "adjoint")  # an event whose author is that name
    body = seeded.get("/driver/v1/audit/export", headers=titulaire).content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert '\'=HYPERLINK("x")' in {row["auteur"] for row in rows}
    assert not any(value.startswith(("=", "+", "@")) for row in rows for value in row.values() if value)
