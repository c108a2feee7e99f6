"""INS identity steps of issue 8, common part: conditional requirements (does the LGO offer the
action at all?), readable French messages in answers, and the LGO's clock (sessions expire when it
jumps years ahead).

A conditional requirement (W1-INS-21: data from another identification domain; W1-INS-24: copies of
ID documents) applies only to an LGO that offers the feature: the scenario probes the action first
and is reported skipped, "non applicable", when the driver API does not know it (404 or 405).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.steps_lib import ins
from bench.steps_lib.state import ScenarioBench
from bench.targets.errors import BenchError

NOT_OFFERED = (404, 405)
_UNREADABLE = re.compile(r"<\?xml|<[a-zA-Z]+:Envelope|Traceback|Exception\b|Error:")


def offers(bench: ScenarioBench, method: str, path: str, *, json: Any = None) -> bool:
    """Whether the driver API knows this action (any answer but 404/405, refusals included)."""
    answer = bench.target.call(method, path, session=ins.reader(bench), json=json, ok=False)
    return answer.status not in NOT_OFFERED


def check_readable(text: Any, what: str) -> str:
    """A French sentence for a person: not empty, not a stack trace nor raw XML."""
    value = str(text or "").strip()
    if len(value) < 10 or _UNREADABLE.search(value):
        raise AssertionError(f"{what} : message absent ou illisible pour un utilisateur ({value!r})")
    return value


def as_items(answer: Any) -> list[dict[str, Any]]:
    """A list answer, bare (`[...]`) or paged (`{items: [...]}`)."""
    data = answer.data
    if isinstance(data, dict):
        data = data.get("items")
    if not isinstance(data, list):
        raise AssertionError(f"Réponse du LGO sans liste : {answer.text[:300]}")
    return [item for item in data if isinstance(item, dict)]


def parse_instant(value: Any, what: str) -> datetime:
    """An ISO 8601 date-time of the LGO (aware; a naive value is read as UTC)."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise AssertionError(f"{what} : date « {value} » illisible (ISO 8601 attendu)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- the LGO's clock -------------------------------------------------------------------------------

_SPAN = re.compile(r"(?:(\d{1,2}) ans?)?(?:\s*et\s*)?(?:(\d{1,4}) jours?)?")


def add_years(moment: datetime, years: int) -> datetime:
    """Same day and time `years` later; 29 February becomes 28 February."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def shift(moment: datetime, span: str) -> datetime:
    """« 5 ans et 1 jour », « 4 ans », « 30 jours » after `moment`."""
    found = _SPAN.fullmatch(span.strip())
    if not found or not any(found.groups()):
        raise BenchError(f"Scénario mal écrit : durée « {span} » (« 5 ans et 1 jour », « 30 jours »)")
    years, days = int(found[1] or 0), int(found[2] or 0)
    return add_years(moment, years) + timedelta(days=days)


def lgo_now(bench: ScenarioBench) -> datetime:
    state = bench.target.call("GET", "/clock").json_object()
    return parse_instant(state.get("now"), "Horloge du LGO")


def advance_clock(bench: ScenarioBench, span: str) -> datetime:
    """Moves the LGO's clock (driver `PUT /clock`, offset mode) `span` ahead of what it reads now.
    Sessions expire on that clock: the scenario's sessions are forgotten and reopened when needed."""
    target = shift(lgo_now(bench), span)
    state = bench.target.call(
        "PUT", "/clock", json={"mode": "offset", "now": target.isoformat()}
    ).json_object()
    reached = parse_instant(state.get("now"), "Horloge du LGO")
    if abs((reached - target).total_seconds()) > 120:
        raise AssertionError(f"Horloge du LGO à {reached.isoformat()} au lieu de {target.isoformat()}")
    forget_sessions(bench)
    return reached


def forget_sessions(bench: ScenarioBench) -> None:
    bench.sessions.clear()
    bench.session = None
    bench.last.pop("ins.reader", None)
