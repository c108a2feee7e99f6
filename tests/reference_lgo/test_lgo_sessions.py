"""Sessions: sliding inactivity expiry on the LGO clock, logout, per-channel tokens (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from _lgo_support import driver_login
from fastapi.testclient import TestClient

from reference_lgo.runtime import Runtime
from reference_lgo.services import authentication, sessions
from reference_lgo.services.context import Origin
from reference_lgo.services.errors import Unauthenticated

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_session_expires_after_inactivity_on_the_frozen_clock(seeded: TestClient, runtime: Runtime) -> None:
    runtime.clock.set("frozen", T0)
    headers = driver_login(seeded, "adjoint")
    opened = seeded.get("/driver/v1/sessions/current", headers=headers).json()
    assert opened["expires_at"] == "2026-03-02T09:15:00Z"  # default 15 minutes
    runtime.clock.advance(14 * 60)
    current = seeded.get("/driver/v1/sessions/current", headers=headers)
    assert current.status_code == 200  # activity slides the deadline
    assert current.json()["expires_at"] == "2026-03-02T09:29:00Z"
    runtime.clock.advance(15 * 60 + 1)
    expired = seeded.get("/driver/v1/sessions/current", headers=headers)
    assert expired.status_code == 401
    assert expired.json()["code"] == "session_inactive"
    assert "15 minute(s) d'inactivité" in expired.json()["detail"]
    again = seeded.get("/driver/v1/sessions/current", headers=headers)
    assert again.json()["code"] == "session_inactive"  # stays ended
    titulaire = driver_login(seeded, "titulaire")
    logouts = seeded.get("/driver/v1/audit", headers=titulaire, params={"action": "deconnexion"}).json()[
        "items"
    ]
    assert [(e["account"], e["details"]["motif"]) for e in logouts] == [("adjoint", "inactivite")]


def test_inactivity_delay_comes_from_the_settings(seeded: TestClient, runtime: Runtime) -> None:
    runtime.clock.set("frozen", T0)
    titulaire = driver_login(seeded, "titulaire")
    assert (
        seeded.put("/driver/v1/settings", headers=titulaire, json={"inactivity_minutes": 2}).status_code
        == 200
    )
    headers = driver_login(seeded, "adjoint")
    runtime.clock.advance(121)
    assert seeded.get("/driver/v1/sessions/current", headers=headers).status_code == 401


def test_logout_ends_the_session_and_is_audited(seeded: TestClient) -> None:
    headers = driver_login(seeded, "adjoint")
    assert seeded.delete("/driver/v1/sessions/current", headers=headers).status_code == 204
    ended = seeded.get("/driver/v1/sessions/current", headers=headers)
    assert ended.status_code == 401 and ended.json()["code"] == "session_terminee"
    titulaire = driver_login(seeded, "titulaire")
    items = seeded.get("/driver/v1/audit", headers=titulaire, params={"account": "adjoint"}).json()["items"]
    assert [e["action"] for e in items] == ["deconnexion", "connexion"]
    assert all(e["channel"] == "driver" for e in items)


def test_tokens_are_random_hashed_and_bound_to_their_channel(seeded: TestClient, runtime: Runtime) -> None:
    first, second = driver_login(seeded, "adjoint"), driver_login(seeded, "adjoint")
    assert first != second
    token = first["Authorization"].removeprefix("Bearer ")
    with runtime.db.session() as session:
        stored = [row.token_hash for row in session.query(sessions.UserSession)]
    assert token not in stored and sessions.token_hash(token) in stored
    # A browser session's cookie is not a driver token.
    ui = authentication.login_password(runtime, Origin("ui"), "adjoint", "motdepasse-banc")
    refused = seeded.get("/driver/v1/sessions/current", headers={"Authorization": f"Bearer {ui.token}"})
    assert refused.status_code == 401


def test_failed_logins_are_audited_without_secrets(seeded: TestClient, runtime: Runtime) -> None:
    for login in ("adjoint", "personne"):
        answer = seeded.post("/driver/v1/sessions", json={"login": login, "password": "mauvais-secret"})
        assert answer.status_code == 401
        assert answer.json()["detail"] == "Identifiant ou mot de passe incorrect."
    titulaire = driver_login(seeded, "titulaire")
    failures = seeded.get("/driver/v1/audit", headers=titulaire, params={"outcome": "echec"}).json()["items"]
    assert {e["account"] for e in failures} == {"adjoint", "personne"}
    assert "mauvais-secret" not in str(failures)


def test_resolve_rejects_unknown_and_missing_tokens(runtime: Runtime) -> None:
    origin = Origin("driver")
    for token in (None, "", "inconnu"):
        try:
            authentication.current(runtime, token, origin)
        except Unauthenticated as error:
            assert error.status == 401
        else:
            raise AssertionError("jeton accepté")


def test_clock_offset_moves_session_times(seeded: TestClient, runtime: Runtime) -> None:
    runtime.clock.set("offset", offset_s=3600)
    headers = driver_login(seeded, "adjoint")
    created = datetime.fromisoformat(
        seeded.get("/driver/v1/sessions/current", headers=headers).json()["created_at"]
    )
    assert created - datetime.now(UTC) > timedelta(minutes=59)
