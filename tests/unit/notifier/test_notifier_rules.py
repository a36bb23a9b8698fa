"""The notifier's rules with a controlled clock: spikes, noise, cooldown, worsening,
resolution and escalation timing."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from services.notifier.domain import (
    Action,
    AlertState,
    RuleSettings,
    backoff,
    decide,
    judge,
)
from services.notifier.stats import binomial_upper_tail
from shared.scores import WindowStats

T0 = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
SETTINGS = RuleSettings()
# A busy station's usual month: 300 answers, 1 in 10 said the problem was not solved.
USUAL = WindowStats(count=300, unresolved=30, low_ratings=30)


def scores(recent_24h: WindowStats, recent_1h: WindowStats | None = None, baseline=USUAL):
    return {"1h": recent_1h or WindowStats(), "24h": recent_24h, "baseline_30d": baseline}


def bad_day(count: int, unresolved: int) -> WindowStats:
    return WindowStats(count=count, unresolved=unresolved)


def open_alert(at=T0, level=0, told=7, acknowledged=False, level_since=None) -> AlertState:
    return AlertState(
        level=level,
        level_since=level_since or at,
        last_notified_at=at,
        notified_parts={"1h": 0, "24h": told},
        acknowledged=acknowledged,
    )


# ----------------------------------------------------------------- the binomial test


def brute_force_tail(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))


@pytest.mark.parametrize(
    ("k", "n", "p"), [(0, 5, 0.1), (3, 5, 0.1), (7, 12, 0.1), (5, 5, 0.3), (1, 40, 0.02)]
)
def test_the_binomial_tail_matches_the_sum_of_exact_probabilities(k, n, p):
    assert binomial_upper_tail(k, n, p) == pytest.approx(brute_force_tail(k, n, p), rel=1e-9)


def test_the_binomial_tail_stays_finite_and_ordered_for_thousands_of_answers():
    small = binomial_upper_tail(400, 2000, 0.1)
    assert 0.0 < small < 1e-20
    assert binomial_upper_tail(200, 2000, 0.1) == pytest.approx(0.5, abs=0.05)


def test_the_binomial_tail_refuses_impossible_counts():
    with pytest.raises(ValueError):
        binomial_upper_tail(6, 5, 0.1)


# ----------------------------------------------------------------- when to alert


def test_a_quiet_station_with_one_bad_day_raises_no_alert():
    quiet_usual = WindowStats(count=60, unresolved=12)  # two visitors a day, 1 in 5 unhappy
    for count, part in [(2, 2), (6, 3), (8, 3)]:
        windows = scores(bad_day(count, part), baseline=quiet_usual)
        judgement = judge("unresolved", windows, SETTINGS)
        assert decide(judgement, None, T0, SETTINGS).action is Action.NONE, (count, part)


def test_a_real_surge_raises_an_alert_for_the_sho_with_the_numbers():
    judgement = judge("unresolved", scores(bad_day(12, 7)), SETTINGS)

    decision = decide(judgement, None, T0, SETTINGS)

    assert decision.action is Action.RAISE
    assert decision.recipients(0) == ("sho",)
    worst = judgement.worst
    assert (worst.window, worst.part, worst.count) == ("24h", 7, 12)
    assert worst.p_value < 0.001
    assert judgement.baseline_share == pytest.approx(30.5 / 301)


def test_a_burst_within_the_hour_is_caught_by_the_short_window():
    judgement = judge(
        "low_rating",
        scores(WindowStats(count=30, low_ratings=6), recent_1h=WindowStats(count=4, low_ratings=4)),
        SETTINGS,
    )
    assert judgement.firing
    assert judgement.worst.window == "1h"


def test_fewer_answers_than_the_minimum_never_alert_however_bad_the_share():
    judgement = judge("unresolved", scores(bad_day(2, 2)), SETTINGS)
    assert not judgement.firing


def test_a_station_without_a_baseline_is_judged_by_the_absolute_share():
    no_history = WindowStats(count=5, unresolved=1)
    half = judge("unresolved", scores(bad_day(5, 3), baseline=no_history), SETTINGS)
    few = judge("unresolved", scores(bad_day(8, 3), baseline=no_history), SETTINGS)

    assert half.baseline_share is None
    assert half.firing and half.worst.p_value is None
    assert not few.firing  # 3 of 8 is below half


def test_the_two_rules_are_judged_apart():
    windows = scores(WindowStats(count=12, unresolved=7, low_ratings=1))
    assert judge("unresolved", windows, SETTINGS).firing
    assert not judge("low_rating", windows, SETTINGS).firing


# ----------------------------------------------------------------- cooldown and worsening


def test_within_the_cooldown_an_acknowledged_alert_is_not_repeated():
    judgement = judge("unresolved", scores(bad_day(14, 8)), SETTINGS)
    alert = open_alert(acknowledged=True)
    for hours in (1, 5, 7, 30):
        assert decide(judgement, alert, T0 + timedelta(hours=hours), SETTINGS).action is (
            Action.NONE
        )


def test_an_unacknowledged_alert_still_high_after_the_cooldown_is_repeated_to_everyone_told():
    judgement = judge("unresolved", scores(bad_day(14, 8)), SETTINGS)
    at_dcp = open_alert(level=2, level_since=T0 + timedelta(hours=4))

    before = decide(judgement, at_dcp, T0 + timedelta(hours=5, minutes=59), SETTINGS)
    after = decide(judgement, at_dcp, T0 + timedelta(hours=6), SETTINGS)

    assert before.action is Action.NONE
    assert after.action is Action.REPEAT
    assert after.recipients(2) == ("sho", "acp", "dcp")


def test_an_alert_that_gets_clearly_worse_is_told_again_at_once_and_escalates():
    worse = judge("unresolved", scores(bad_day(20, 11)), SETTINGS)
    alert = open_alert(told=7)

    decision = decide(worse, alert, T0 + timedelta(minutes=10), SETTINGS)

    assert decision.action is Action.WORSE
    assert decision.level == 1
    assert decision.recipients(0) == ("sho", "acp")


def test_a_little_more_of_the_same_within_the_cooldown_sends_nothing():
    slightly_worse = judge("unresolved", scores(bad_day(14, 9)), SETTINGS)
    decision = decide(slightly_worse, open_alert(told=7), T0 + timedelta(minutes=10), SETTINGS)
    assert decision.action is Action.NONE


# ----------------------------------------------------------------- resolution


def test_an_alert_resolves_by_itself_when_the_share_returns_to_normal():
    normal = judge("unresolved", scores(bad_day(40, 4)), SETTINGS)
    decision = decide(normal, open_alert(level=1), T0 + timedelta(hours=3), SETTINGS)
    assert decision.action is Action.RESOLVE
    assert decision.recipients(1) == ("sho", "acp")


def test_an_alert_between_firing_and_normal_stays_open_rather_than_flapping():
    # 5 of 20 at a usual 1 in 10: p is about 0.04, not significant at 0.01, not normal at 0.05.
    in_between = judge("unresolved", scores(bad_day(20, 5)), SETTINGS)
    assert not in_between.firing and not in_between.calm
    acked = open_alert(acknowledged=True)
    assert decide(in_between, acked, T0 + timedelta(hours=1), SETTINGS).action is Action.NONE


def test_scores_older_than_a_window_count_as_an_empty_window_so_the_timer_can_resolve():
    stale = judge("unresolved", scores(bad_day(12, 7)), SETTINGS, age=timedelta(hours=25))
    assert stale.calm
    assert decide(stale, open_alert(), T0 + timedelta(hours=25), SETTINGS).action is Action.RESOLVE


# ----------------------------------------------------------------- escalation timing


def test_an_unacknowledged_alert_goes_to_the_acp_after_two_hours_then_to_the_dcp():
    firing = judge("unresolved", scores(bad_day(12, 7)), SETTINGS)
    alert = open_alert()

    assert decide(firing, alert, T0 + timedelta(hours=1, minutes=59), SETTINGS).action is (
        Action.NONE
    )
    to_acp = decide(firing, alert, T0 + timedelta(hours=2), SETTINGS)
    assert (to_acp.action, to_acp.level, to_acp.recipients(0)) == (Action.ESCALATE, 1, ("acp",))

    at_acp = open_alert(level=1, level_since=T0 + timedelta(hours=2))
    assert decide(firing, at_acp, T0 + timedelta(hours=3, minutes=59), SETTINGS).action is (
        Action.NONE
    )
    to_dcp = decide(firing, at_acp, T0 + timedelta(hours=4), SETTINGS)
    assert (to_dcp.action, to_dcp.level, to_dcp.recipients(1)) == (Action.ESCALATE, 2, ("dcp",))


def test_an_acknowledged_alert_does_not_escalate():
    firing = judge("unresolved", scores(bad_day(12, 7)), SETTINGS)
    acked = open_alert(acknowledged=True)
    assert decide(firing, acked, T0 + timedelta(hours=5), SETTINGS).action is Action.NONE


def test_escalation_delays_come_from_the_settings():
    quick = RuleSettings(escalation_delays=(timedelta(seconds=3), timedelta(seconds=3)))
    firing = judge("unresolved", scores(bad_day(12, 7)), quick)
    assert decide(firing, open_alert(), T0 + timedelta(seconds=3), quick).action is (
        Action.ESCALATE
    )


# ----------------------------------------------------------------- retries


def test_retry_waits_double_from_the_base_up_to_the_cap():
    assert [backoff(n, 5, 60) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_settings_refuse_nonsense():
    with pytest.raises(ValueError):
        RuleSettings(windows=("2h",))
    with pytest.raises(ValueError):
        RuleSettings(alpha=0.05, resolve_alpha=0.01)
