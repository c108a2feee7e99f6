from datetime import UTC, datetime, timedelta

import pytest

from simulators.core.clock import BenchClock


def test_real_clock_follows_wall_time() -> None:
    clock = BenchClock()
    before = datetime.now(UTC)
    now = clock.now()
    assert before - timedelta(seconds=1) <= now <= datetime.now(UTC) + timedelta(seconds=1)
    assert clock.state()["mode"] == "real"


def test_frozen_clock_stands_still_and_advances_on_request() -> None:
    clock = BenchClock()
    moment = datetime(2027, 3, 1, 8, 30, tzinfo=UTC)
    clock.set("frozen", now=moment)
    assert clock.now() == moment
    assert clock.now() == moment
    clock.advance(90)
    assert clock.now() == moment + timedelta(seconds=90)
    assert clock.state() == {
        "mode": "frozen",
        "now": (moment + timedelta(seconds=90)).isoformat(),
        "offset_s": 0.0,
    }


def test_offset_clock_from_seconds_and_from_target_time() -> None:
    clock = BenchClock()
    clock.set("offset", offset_s=-3600)
    assert abs((datetime.now(UTC) - clock.now()).total_seconds() - 3600) < 5
    target = datetime(2030, 1, 1, tzinfo=UTC)
    clock.set("offset", now=target)
    assert abs((clock.now() - target).total_seconds()) < 5
    assert clock.state()["mode"] == "offset"


def test_naive_time_is_read_as_utc_and_reset_returns_to_real() -> None:
    clock = BenchClock()
    clock.set("frozen", now=datetime(2027, 1, 1, 12, 0))
    assert clock.now() == datetime(2027, 1, 1, 12, 0, tzinfo=UTC)
    clock.reset()
    assert clock.mode == "real"


def test_unknown_mode_is_refused_in_french() -> None:
    with pytest.raises(ValueError, match="mode d'horloge inconnu"):
        BenchClock().set("stopped")  # type: ignore[arg-type]
