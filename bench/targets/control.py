"""Client of the simulators' control plane (`/_bench/*`, CONVENTIONS "Listeners and certificates").

Steps, the runner and the manual target reach the simulators only through it: reset with a scenario
id, fault packs, journal queries, raw bodies, `expect`, and the card slots.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from bench.targets.errors import ControlPlaneError

MAX_LIMIT = 5000


class ControlPlane:
    """`base_url` is the control plane's `/_bench` URL, e.g. http://127.0.0.1:7900/_bench."""

    def __init__(
        self, base_url: str, *, timeout_s: float = 15.0, transport: httpx.BaseTransport | None = None
    ):
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(timeout=timeout_s, transport=transport)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ControlPlane:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        timeout_s: float | None = None,
    ) -> httpx.Response:
        url = self.base_url + path
        try:
            response = self._client.request(
                method,
                url,
                json=json,
                params=params,
                timeout=timeout_s if timeout_s is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as exc:
            raise ControlPlaneError(f"Plan de contrôle injoignable ({method} {url}) : {exc}") from None
        if response.status_code >= 400:
            problem = _problem(response)
            detail = problem.get("detail") or response.text[:300]
            raise ControlPlaneError(
                f"Le plan de contrôle a refusé {method} {path} ({response.status_code}) : {detail}",
                status=response.status_code,
                problem=problem,
            )
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self._call(method, path, **kwargs)
        try:
            data = response.json()
        except ValueError:
            raise ControlPlaneError(f"Réponse non JSON du plan de contrôle à {method} {path}") from None
        if not isinstance(data, dict):
            raise ControlPlaneError(f"Réponse inattendue du plan de contrôle à {method} {path}")
        return data

    # -- whole bench ------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """`/_bench/health` (503 while a service is starting or failed is still an answer)."""
        try:
            response = self._client.get(self.base_url + "/health")
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ControlPlaneError(
                f"Plan de contrôle injoignable ({self.base_url}/health) : {exc}"
            ) from None
        return dict(data) if isinstance(data, dict) else {}

    def reset(self, scenario_id: str | None) -> dict[str, Any]:
        """Empties every service, clears faults and clocks; later records carry `scenario_id`."""
        return self._json("POST", "/reset", json={"scenario_id": scenario_id})

    def arm_pack(self, pack: str) -> list[str]:
        """Arms a named fault pack `<service>.<pack>`; returns the ids of the rules added."""
        data = self._json("POST", "/faults", json={"pack": pack})
        return [str(rule_id) for rule_id in data.get("added", [])]

    def faults(self, service: str | None = None) -> list[dict[str, Any]]:
        data = self._json("GET", "/faults", params={"service": service} if service else None)
        return list(data.get("rules", []))

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    # -- journal ----------------------------------------------------------------------------------
    def exchanges(
        self,
        *,
        service: str | None = None,
        operation: str | None = None,
        scenario_id: str | None = None,
        correlation: dict[str, str] | None = None,
        since: datetime | None = None,
        limit: int = MAX_LIMIT,
    ) -> list[dict[str, Any]]:
        """Journal records, oldest first (the most recent `limit`)."""
        params: list[tuple[str, str]] = [("limit", str(limit))]
        for key, value in (("service", service), ("operation", operation), ("scenario_id", scenario_id)):
            if value is not None:
                params.append((key, value))
        if since is not None:
            params.append(("since", since.isoformat()))
        params += [("correlation", f"{k}={v}") for k, v in (correlation or {}).items()]
        data = self._json("GET", "/exchanges", params=params)
        return list(data.get("exchanges", []))

    def body(self, sha256: str) -> tuple[bytes, str | None]:
        """A raw body of the journal and its content type."""
        response = self._call("GET", f"/bodies/{sha256}")
        return response.content, response.headers.get("content-type")

    def expect(
        self,
        service: str,
        *,
        operation: str | None = None,
        correlation: dict[str, str] | None = None,
        timeout_s: float = 10.0,
        since: datetime | None = None,
    ) -> dict[str, Any]:
        """Blocks until a matching exchange arrives: the record, or `{timeout: true, near_misses}`."""
        payload: dict[str, Any] = {
            "operation": operation,
            "correlation": correlation or {},
            "timeout_s": timeout_s,
        }
        if since is not None:
            payload["since"] = since.isoformat()
        return self._json("POST", f"/{service}/expect", json=payload, timeout_s=timeout_s + 10)

    # -- cards ------------------------------------------------------------------------------------
    def insert_card(self, slot: int, card_id: str) -> dict[str, Any]:
        return self._json("POST", f"/cards/slots/{slot}/insert", json={"card_id": card_id})

    def remove_card(self, slot: int) -> dict[str, Any]:
        return self._json("POST", f"/cards/slots/{slot}/remove")

    def slots(self) -> dict[str, Any]:
        return self._json("GET", "/cards/slots")


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
