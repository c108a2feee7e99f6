import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scenarios import FaultRule
from simulators.core.clock import BenchClock
from simulators.core.faults import FaultEngine, MatchContext


def rule(**data: Any) -> FaultRule:
    data.setdefault("id", "r1")
    data.setdefault("service", "echo")
    data.setdefault("action", {"kind": "http_status", "status": 503})
    return FaultRule.model_validate(data)


def engine(seed: int = 7) -> FaultEngine:
    return FaultEngine("echo", BenchClock(), random.Random(seed))


def test_operation_filter_and_first_rule_wins() -> None:
    eng = engine()
    eng.add(rule(id="a", operation="ping"))
    eng.add(rule(id="b"))
    assert eng.pick("ping", MatchContext()).id == "a"
    assert eng.pick("pong", MatchContext()).id == "b"


def test_match_on_correlation_key_and_header() -> None:
    eng = engine()
    eng.add(rule(id="ins", match={"ins": "180012345678901", "header:x-env": "recette"}))
    assert eng.pick(None, MatchContext(correlation={"ins": "180012345678901"})) is None
    ctx = MatchContext(headers={"x-env": "recette"}, correlation={"ins": "180012345678901"})
    assert eng.pick(None, ctx).id == "ins"
    assert eng.pick(None, MatchContext(headers={"x-env": "recette"}, correlation={"ins": "2"})) is None


def test_count_limits_the_hits_and_describe_shows_the_state() -> None:
    eng = engine()
    eng.add(rule(count=2))
    assert [eng.pick("x", MatchContext()) is not None for _ in range(3)] == [True, True, False]
    state = eng.describe()[0]["state"]
    assert state == {"hits": 2, "remaining": 0, "active": False}


def test_probability_is_reproducible_with_a_seed() -> None:
    def draws(seed: int) -> list[bool]:
        eng = engine(seed)
        eng.add(rule(probability=0.3))
        return [eng.pick(None, MatchContext()) is not None for _ in range(200)]

    first = draws(42)
    assert first == draws(42)
    assert 30 <= sum(first) <= 90
    assert first != draws(43)


def test_window_on_the_frozen_bench_clock() -> None:
    eng = engine()
    start = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
    eng.clock.set("frozen", now=start - timedelta(seconds=10))
    eng.add(rule(window={"start": start.isoformat(), "duration_s": 60}))
    assert eng.pick(None, MatchContext()) is None
    eng.clock.advance(10)
    assert eng.pick(None, MatchContext()) is not None
    eng.clock.advance(60)
    assert eng.pick(None, MatchContext()) is None


def test_window_without_start_begins_when_armed() -> None:
    eng = engine()
    eng.clock.set("frozen", now=datetime(2027, 1, 1, tzinfo=UTC))
    eng.add(rule(window={"duration_s": 5}))
    assert eng.pick(None, MatchContext()) is not None
    eng.clock.advance(5)
    assert eng.pick(None, MatchContext()) is None


def test_tls_failure_only_fires_at_handshake() -> None:
    eng = engine()
    eng.add(rule(id="tls", action={"kind": "tls_failure"}, count=1))
    assert eng.pick(None, MatchContext()) is None
    assert eng.pick_handshake().id == "tls"
    assert eng.pick_handshake() is None


def test_add_replace_remove_and_wrong_service() -> None:
    eng = engine()
    eng.add(rule(id="a", action={"kind": "delay", "ms": 5}))
    eng.add(rule(id="a"))
    assert [r["action"]["kind"] for r in eng.describe()] == ["http_status"]
    assert eng.remove("a") and not eng.remove("a")
    with pytest.raises(ValueError, match="vise le service"):
        eng.add(rule(service="insi"))
