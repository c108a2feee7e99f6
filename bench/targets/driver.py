"""`driver:URL` and `reference`: the same HTTP client of the driver API (`/driver/v1`, documented in
docs/driver-api.md), pointed at an editor's LGO or at the reference LGO. Only the reference target
adds screenshots of its web UI.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx

from bench.targets.base import DriverAnswer, DriverSession, Target
from bench.targets.browser import BrowserCapture
from bench.targets.errors import DriverRefused, TargetUnreachable
from bench.targets.spec import TargetSpec
from reports.model import Screenshot

TOKEN_ENV = "SEGUR_BENCH_DRIVER_TOKEN"
# A CPS login reads the card (certificates, PIN, signature): allow for a slow PC/SC stack.
TIMEOUT_S = 60.0


class DriverTarget(Target):
    def __init__(
        self,
        spec: TargetSpec,
        *,
        admin_token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = TIMEOUT_S,
    ) -> None:
        if spec.url is None:
            raise ValueError("a driver target needs its URL")
        self.spec = spec
        self.base_url = spec.url
        self.admin_token = admin_token if admin_token is not None else os.environ.get(TOKEN_ENV) or None
        self._client = httpx.Client(timeout=timeout_s, transport=transport)

    def close(self) -> None:
        self._client.close()

    # -- HTTP -------------------------------------------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        *,
        session: DriverSession | None = None,
        json: Any = None,
        params: Any = None,
        ok: bool = True,
    ) -> DriverAnswer:
        answer = self._send(method, path, session, "application/json", json=json, params=params)
        if ok and answer.status >= 400:
            problem = answer.data if isinstance(answer.data, dict) else None
            raise DriverRefused(method, "/" + path.lstrip("/"), answer.status, problem, answer.text)
        return answer

    def fetch(
        self,
        method: str,
        path: str,
        *,
        session: DriverSession | None = None,
        json: Any = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        data: dict[str, str] | None = None,
        accept: str = "*/*",
    ) -> DriverAnswer:
        return self._send(method, path, session, accept, json=json, files=files, data=data)

    def _send(
        self, method: str, path: str, session: DriverSession | None, accept: str, **kwargs: Any
    ) -> DriverAnswer:
        url = self.base_url + "/" + path.lstrip("/")
        token = session.token if session is not None else self.admin_token
        headers = {"Accept": accept}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = self._client.request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise TargetUnreachable(f"Cible {self.label} injoignable ({method} {url}) : {exc}") from None
        return _answer(response)

    # -- Target -----------------------------------------------------------------------------------
    def check(self) -> dict[str, Any]:
        answer = self.call("GET", "/openapi.json", ok=False)
        document = answer.json_object()
        if answer.status != 200 or "openapi" not in document:
            raise TargetUnreachable(
                f"Cible {self.label} : {self.base_url}/openapi.json ne publie pas l'OpenAPI de l'API de "
                f"pilotage (statut {answer.status})"
            )
        info = document.get("info")
        return dict(info) if isinstance(info, dict) else {}

    def reset(self) -> None:
        self.call("POST", "/reset")

    def seed(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", "/seed", json=payload).json_object()

    def open_session(self, login: str, password: str) -> DriverSession:
        answer = self.call("POST", "/sessions", json={"login": login, "password": password})
        return _session(answer, "password", login=login, secret=password)

    def open_cps_session(self, pin: str, reader: str | None = None) -> DriverSession:
        cps: dict[str, Any] = {"pin": pin}
        if reader:
            cps["reader"] = reader
        answer = self.call("POST", "/sessions", json={"cps": cps})
        return _session(answer, "cps", secret=pin, reader=reader)

    def capture(self, screen: str, name: str, session: DriverSession | None = None) -> Screenshot:
        return Screenshot(
            name=name,
            screen=screen,
            note="capture d'écran non prise en charge par une cible driver : l'interface de ce LGO "
            "n'est pas pilotée par le banc",
        )


class ReferenceTarget(DriverTarget):
    """The reference LGO: its driver API, plus screenshots of its web UI through Playwright."""

    def __init__(
        self,
        spec: TargetSpec,
        *,
        driver_url: str,
        ui_url: str,
        screenshots_dir: Path,
        admin_token: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(TargetSpec("driver", driver_url), admin_token=admin_token, transport=transport)
        self.spec = spec
        self.browser = BrowserCapture(ui_url, screenshots_dir)

    @property
    def label(self) -> str:
        return "reference"

    def capture(self, screen: str, name: str, session: DriverSession | None = None) -> Screenshot:
        return self.browser.capture(screen, name, session)

    def close(self) -> None:
        self.browser.close()
        super().close()


def _answer(response: httpx.Response) -> DriverAnswer:
    data: Any = None
    if response.content:
        try:
            data = response.json()
        except ValueError:
            data = None
    return DriverAnswer(
        response.status_code, data, dict(response.headers), response.text[:2000], response.content
    )


def _session(
    answer: DriverAnswer, method: str, *, login: str | None = None, secret: str, reader: str | None = None
) -> DriverSession:
    data = answer.json_object()
    token = data.get("token")
    if not isinstance(token, str) or not token:
        raise AssertionError(f"Le LGO a ouvert une session sans jeton (réponse : {answer.text[:300]})")
    account = data.get("account")
    if not isinstance(account, dict):
        account = {}
    expires = data.get("expires_at")
    return DriverSession(
        token=token,
        account=account,
        method="cps" if method == "cps" else "password",
        expires_at=str(expires) if expires is not None else None,
        login=login or (str(account["login"]) if "login" in account else None),
        secret=secret,
        reader=reader,
    )
