"""Targets: --target parsing, the driver HTTP client (sessions, tokens, refusals), the control-plane
client, and the choice of target; HTTP is served by httpx.MockTransport (no server needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.targets import (
    ControlPlane,
    ControlPlaneError,
    DriverRefused,
    DriverTarget,
    ManualTarget,
    ReferenceTarget,
    TargetNotAvailable,
    TargetSpec,
    TargetSpecError,
    TargetUnreachable,
    make_target,
    parse_target,
    slug,
)
from bench.targets.browser import chromium_path, screen_path

DRIVER = "http://127.0.0.1:8000/driver/v1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reference", TargetSpec("reference")),
        ("manual", TargetSpec("manual")),
        (f"driver:{DRIVER}", TargetSpec("driver", DRIVER)),
        (f"driver:{DRIVER}/", TargetSpec("driver", DRIVER)),
        (
            "driver:https://lgo.example:9443/api/driver/v1",
            TargetSpec("driver", "https://lgo.example:9443/api/driver/v1"),
        ),
    ],
)
def test_parse_target(text: str, expected: TargetSpec) -> None:
    assert parse_target(text) == expected
    assert str(parse_target(text)) == (f"driver:{expected.url}" if expected.url else expected.kind)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("editeur", "cible inconnue"),
        ("driver:", "http:// ou https://"),
        ("driver:ftp://h/driver/v1", "http:// ou https://"),
        ("driver:http://127.0.0.1:8000/api", "doit se terminer par /driver/v1"),
        ("driver:http://127.0.0.1:8000/driver/v1?token=x", "ni paramètres"),
        ("driver:http://u:p@127.0.0.1/driver/v1", "ni paramètres"),
        ("driver:http://127.0.0.1:port/driver/v1", "URL de pilotage invalide"),
    ],
)
def test_parse_target_refuses(text: str, message: str) -> None:
    with pytest.raises(TargetSpecError, match=message):
        parse_target(text)


class FakeDriver:
    """A tiny driver API: sessions by password or CPS, audit behind a session token."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.calls.append((request.method, request.url.path, request.headers.get("authorization"), body))
        path = request.url.path.removeprefix("/driver/v1")
        if path == "/openapi.json":
            return httpx.Response(
                200, json={"openapi": "3.1.0", "info": {"title": "Pilotage", "version": "1.0"}}
            )
        if path == "/sessions" and body == {"login": "titulaire", "password": "bon"}:
            return httpx.Response(
                201, json={"token": "jeton-1", "account": {"login": "titulaire"}, "expires_at": "x"}
            )
        if path == "/sessions" and body == {"cps": {"pin": "1234"}}:
            return httpx.Response(201, json={"token": "jeton-cps", "account": {"login": "titulaire"}})
        if path == "/sessions":
            problem = {
                "title": "Non authentifié",
                "status": 401,
                "detail": "Identifiant ou mot de passe incorrect.",
                "code": "identifiants_invalides",
            }
            return httpx.Response(401, json=problem, headers={"content-type": "application/problem+json"})
        if path == "/audit":
            return httpx.Response(200, json={"entries": []})
        return httpx.Response(204)


def _target(fake: FakeDriver, token: str | None = "admin-secret") -> DriverTarget:
    return DriverTarget(TargetSpec("driver", DRIVER), admin_token=token, transport=httpx.MockTransport(fake))


def test_driver_sessions_and_tokens() -> None:
    fake = FakeDriver()
    target = _target(fake)
    assert target.check() == {"title": "Pilotage", "version": "1.0"}
    target.reset()
    session = target.open_session("titulaire", "bon")
    assert (session.token, session.login, session.method, session.secret) == (
        "jeton-1",
        "titulaire",
        "password",
        "bon",
    )
    target.call("GET", "/audit", session=session)
    cps = target.open_cps_session("1234")
    assert cps.method == "cps" and cps.login == "titulaire"
    auth = {(method, path): header for method, path, header, _ in fake.calls}
    assert auth[("POST", "/driver/v1/reset")] == "Bearer admin-secret"  # admin calls carry the admin token
    assert auth[("GET", "/driver/v1/audit")] == "Bearer jeton-1"  # actions act as the session's account


def test_driver_without_admin_token_sends_no_authorization() -> None:
    fake = FakeDriver()
    _target(fake, token="").reset()
    assert fake.calls[-1][2] is None


def test_driver_refusal_is_an_assertion_with_the_problem_detail() -> None:
    target = _target(FakeDriver())
    with pytest.raises(DriverRefused) as caught:
        target.open_session("titulaire", "mauvais")
    refusal = caught.value
    assert isinstance(refusal, AssertionError)  # the LGO's verdict: the scenario fails, not errors
    assert (refusal.status, refusal.code) == (401, "identifiants_invalides")
    assert str(refusal) == "Le LGO a répondu 401 à POST /sessions : Identifiant ou mot de passe incorrect."
    answer = target.call("POST", "/sessions", json={}, ok=False)
    assert answer.status == 401


def test_unreachable_driver_is_a_bench_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    target = DriverTarget(TargetSpec("driver", DRIVER), transport=httpx.MockTransport(refuse))
    with pytest.raises(TargetUnreachable, match="injoignable"):
        target.check()


def test_driver_without_openapi_is_refused() -> None:
    target = DriverTarget(
        TargetSpec("driver", DRIVER), transport=httpx.MockTransport(lambda r: httpx.Response(404, text="non"))
    )
    with pytest.raises(TargetUnreachable, match="ne publie pas l'OpenAPI"):
        target.check()


def test_driver_capture_is_a_note(tmp_path: Path) -> None:
    shot = _target(FakeDriver()).capture("accueil", "Accueil")
    assert shot.file is None and shot.note is not None and "cible driver" in shot.note


def test_control_plane_client() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/_bench/reset":
            return httpx.Response(
                200, json={"reset": ["insi"], "scenario_id": json.loads(request.content)["scenario_id"]}
            )
        if request.url.path == "/_bench/faults":
            return httpx.Response(201, json={"added": ["insi-indisponible"], "rules": []})
        if request.url.path == "/_bench/exchanges":
            return httpx.Response(200, json={"count": 1, "exchanges": [{"id": "e1"}]})
        if request.url.path.startswith("/_bench/bodies/"):
            return httpx.Response(200, content=b"<x/>", headers={"content-type": "application/soap+xml"})
        return httpx.Response(404, json={"detail": "Service inconnu : dmp (services démarrés : insi)."})

    control = ControlPlane("http://127.0.0.1:7900/_bench/", transport=httpx.MockTransport(handler))
    assert control.reset("run-s001")["scenario_id"] == "run-s001"
    assert control.arm_pack("insi.indisponible") == ["insi-indisponible"]
    assert json.loads(seen[-1].content) == {"pack": "insi.indisponible"}
    assert control.exchanges(service="insi", scenario_id="run-s001", correlation={"ins": "1"}) == [
        {"id": "e1"}
    ]
    query = seen[-1].url.params
    assert (query["service"], query["scenario_id"], query["correlation"], query["limit"]) == (
        "insi",
        "run-s001",
        "ins=1",
        "5000",
    )
    assert control.body("ab" * 32) == (b"<x/>", "application/soap+xml")
    with pytest.raises(ControlPlaneError, match="Service inconnu : dmp") as caught:
        control.insert_card(1, "cps-titulaire")
    assert caught.value.status == 404


def test_control_plane_unreachable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    with pytest.raises(ControlPlaneError, match="Plan de contrôle injoignable"):
        ControlPlane("http://127.0.0.1:1/_bench", transport=httpx.MockTransport(refuse)).reset(None)


def test_make_target(tmp_path: Path) -> None:
    control = ControlPlane("http://127.0.0.1:7900/_bench")
    reference = make_target(
        TargetSpec("reference"),
        control=control,
        lgo_driver_url=DRIVER,
        lgo_ui_url="http://127.0.0.1:8000/",
        screenshots_dir=tmp_path,
    )
    assert (
        isinstance(reference, ReferenceTarget)
        and reference.base_url == DRIVER
        and reference.label == "reference"
    )
    assert isinstance(
        make_target(
            TargetSpec("driver", DRIVER),
            control=control,
            lgo_driver_url=None,
            lgo_ui_url=None,
            screenshots_dir=tmp_path,
        ),
        DriverTarget,
    )
    with pytest.raises(TargetUnreachable, match="LGO de référence n'est pas publié"):
        make_target(
            TargetSpec("reference"),
            control=control,
            lgo_driver_url=None,
            lgo_ui_url=None,
            screenshots_dir=tmp_path,
        )
    manual = make_target(
        TargetSpec("manual"), control=control, lgo_driver_url=None, lgo_ui_url=None, screenshots_dir=tmp_path
    )
    assert isinstance(manual, ManualTarget)
    with pytest.raises(TargetNotAvailable, match="pas encore disponible"):
        manual.reset()


def test_screens_and_browser_lookup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert screen_path("Piste d'audit") == "/audit"
    assert screen_path("/parametres") == "/parametres"
    assert screen_path("inexistant") is None
    assert slug("Journal d'audit — Hélène") == "journal-d-audit-helene"
    monkeypatch.setenv("SEGUR_BENCH_CHROMIUM", str(tmp_path / "absent"))
    assert chromium_path() is None
    fake = tmp_path / "chromium"
    fake.write_text("")
    monkeypatch.setenv("SEGUR_BENCH_CHROMIUM", str(fake))
    assert chromium_path() == str(fake)


def test_reference_capture_of_unknown_screen_is_a_note(tmp_path: Path) -> None:
    target = ReferenceTarget(
        TargetSpec("reference"), driver_url=DRIVER, ui_url="http://127.0.0.1:9/", screenshots_dir=tmp_path
    )
    shot = target.capture("écran imaginaire", "Test")
    assert shot.file is None and shot.note is not None and "écran inconnu" in shot.note
    target.close()
