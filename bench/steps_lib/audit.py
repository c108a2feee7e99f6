"""The LGO's audit trail as the driver API shows it (`GET /driver/v1/audit`: `{total, offset, limit,
items}`, newest first; an item names its author `account`, its `channel` and `auth_method`)."""

from __future__ import annotations

from typing import Any

from bench.steps_lib.state import ScenarioBench
from bench.targets import DriverSession

LOGIN_ACTION = "connexion"
METHODS = {"mot de passe": "password", "carte CPS": "cps"}
PAGE = 500


def entries(
    bench: ScenarioBench, session: DriverSession | None = None, **filters: str
) -> list[dict[str, Any]]:
    """Audit entries visible to `session` (the current account by default); `filters` are the
    driver's query parameters (action, account, channel...)."""
    params = {"limit": str(PAGE), **filters}
    answer = bench.target.call("GET", "/audit", session=session or bench.session, params=params)
    items = answer.json_object().get("items")
    if not isinstance(items, list):
        raise AssertionError(f"Réponse du LGO sans « items » pour la piste d'audit : {answer.text[:300]}")
    return [item for item in items if isinstance(item, dict)]


def matching(
    items: list[dict[str, Any]], action: str, *, login: str | None = None, channel: str | None = None
) -> list[dict[str, Any]]:
    return [
        entry
        for entry in items
        if entry.get("action") == action
        and (login is None or entry.get("account") == login)
        and (channel is None or entry.get("channel") == channel)
    ]


def describe(items: list[dict[str, Any]], limit: int = 12) -> str:
    """A short French listing for assertion messages."""
    lines = [
        f"  {item.get('at', '?')} {item.get('action', '?')} par {item.get('account') or '?'} "
        f"({item.get('channel') or '?'}, {item.get('auth_method') or '?'}) : {item.get('summary', '')}"
        for item in items[:limit]
    ]
    more = f"\n  … et {len(items) - limit} autre(s)" if len(items) > limit else ""
    return ("\n".join(lines) or "  (aucune entrée)") + more


def read_as(bench: ScenarioBench, login: str) -> list[dict[str, Any]]:
    """The trail as `login` sees it (that account's session if open, else a password login now)."""
    from bench.steps_lib import sessions

    session = bench.sessions.get(login) or sessions.login_with_password(bench, login)
    items = entries(bench, session)
    bench.remember("audit", items)
    return items


def check_login_entry(bench: ScenarioBench, login: str, method: str, channel: str) -> None:
    """A login of `login` by `method` ("mot de passe" | "carte CPS") over `channel` is in the trail read."""
    if method not in METHODS:
        raise AssertionError(
            f"Méthode de connexion inconnue du banc : « {method} » (connues : {', '.join(METHODS)})"
        )
    items: list[dict[str, Any]] = bench.recall("audit")
    logins = matching(items, LOGIN_ACTION, login=login, channel=channel)
    if not logins:
        raise AssertionError(
            f"Aucune connexion de « {login} » sur le canal « {channel} » dans la piste d'audit :\n{describe(items)}"
        )
    if not any(entry.get("auth_method") == METHODS[method] for entry in logins):
        found = ", ".join(str(entry.get("auth_method")) for entry in logins)
        raise AssertionError(f"Connexion de « {login} » tracée, mais par « {found} » et non par {method}")
