"""When a station needs attention, and who is told: pure rules with the clock passed in.

Two rules per station: ``low_rating`` (1-2 stars) and ``unresolved`` ("was your problem
solved?" answered no). For each rule and each recent window (default 1 hour and 24 hours) a
window *fires* when it holds at least ``min_count`` such answers and

* the station has a baseline (at least ``baseline_min_count`` answers in the 30 days before
  the last 24 hours): the one-sided binomial test of the recent count against the baseline
  share gives p < ``alpha``;
* otherwise: the recent share is at least ``absolute_share``.

An open alert is *calm* (and resolves) when no window would even come close: fewer than
``min_count`` answers, or p >= ``resolve_alpha``, or (no baseline) the share below
``absolute_share``. Between firing and calm the alert stays as it is, so it does not flap.

Nothing here reads a clock, a database or the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from services.notifier.stats import binomial_upper_tail
from shared.scores import BASELINE, WINDOWS, WindowStats

# Rule name -> the WindowStats field it counts.
RULES: dict[str, str] = {"low_rating": "low_ratings", "unresolved": "unresolved"}
ROLES = ("sho", "acp", "dcp")  # escalation levels 0, 1, 2


@dataclass(frozen=True)
class RuleSettings:
    """Thresholds, windows, cooldown and escalation delays (deploy/notifier.toml)."""

    windows: tuple[str, ...] = ("1h", "24h")
    min_count: int = 3
    alpha: float = 0.01
    resolve_alpha: float = 0.05
    absolute_share: float = 0.5
    baseline_min_count: int = 20
    cooldown: timedelta = timedelta(hours=6)
    worsening_ratio: float = 1.5
    worsening_min_increase: int = 3
    # escalation_delays[i]: how long level i may leave an alert unacknowledged before level
    # i + 1 is told (SHO -> ACP, ACP -> DCP).
    escalation_delays: tuple[timedelta, ...] = (timedelta(hours=2), timedelta(hours=2))

    def __post_init__(self) -> None:
        unknown = [w for w in self.windows if w not in WINDOWS]
        if unknown or not self.windows:
            raise ValueError(f"windows must be some of {sorted(WINDOWS)}, got {self.windows}")
        if self.min_count < 1:
            raise ValueError("min_count must be at least 1")
        for name in ("alpha", "resolve_alpha", "absolute_share"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in (0, 1]")
        if self.resolve_alpha < self.alpha:
            raise ValueError("resolve_alpha must not be below alpha")
        if len(self.escalation_delays) != len(ROLES) - 1:
            raise ValueError(f"escalation_delays needs {len(ROLES) - 1} entries")

    @property
    def top_level(self) -> int:
        return len(ROLES) - 1


@dataclass(frozen=True)
class WindowCheck:
    """One window of one rule: the numbers and the verdict."""

    window: str
    part: int  # such answers (low ratings, or unresolved) in the window
    count: int  # all answers in the window
    p_value: float | None  # None when judged against the absolute share (no baseline)
    firing: bool
    calm: bool

    @property
    def share(self) -> float:
        return self.part / self.count if self.count else 0.0


@dataclass(frozen=True)
class Judgement:
    """A rule's verdict over all its windows, with the baseline it was judged against."""

    rule: str
    checks: tuple[WindowCheck, ...]
    baseline_part: int
    baseline_count: int
    baseline_share: float | None  # the share tested against; None: no baseline yet

    @property
    def firing(self) -> bool:
        return any(c.firing for c in self.checks)

    @property
    def calm(self) -> bool:
        return all(c.calm for c in self.checks)

    @property
    def worst(self) -> WindowCheck:
        """The window to report: the firing one with the strongest evidence, else the
        longest window."""
        firing = [c for c in self.checks if c.firing]
        if not firing:
            return self.checks[-1]
        return min(firing, key=lambda c: c.p_value if c.p_value is not None else -c.share)

    def parts(self) -> dict[str, int]:
        return {c.window: c.part for c in self.checks}


def judge(
    rule: str,
    windows: dict[str, WindowStats],
    settings: RuleSettings,
    *,
    age: timedelta = timedelta(0),
) -> Judgement:
    """Judge ``rule`` on a station's windows. ``age`` is how old the scores are: a window
    shorter than that is taken as empty (no event has told us what is in it now)."""
    field_name = RULES[rule]
    base = windows.get(BASELINE, WindowStats())
    b_part, b_count = getattr(base, field_name), base.count
    has_baseline = b_count >= settings.baseline_min_count
    # Half an answer on each side keeps a spotless baseline from making any single complaint
    # "infinitely" significant (share 0 would give p = 0).
    p0 = (b_part + 0.5) / (b_count + 1) if has_baseline else None
    checks = []
    for name in settings.windows:
        stats = windows.get(name, WindowStats())
        if age >= timedelta(hours=WINDOWS[name]):
            stats = WindowStats()
        part, count = getattr(stats, field_name), stats.count
        enough = part >= settings.min_count
        if p0 is not None:
            p_value = binomial_upper_tail(part, count, p0) if count else 1.0
            above = count > 0 and part / count > p0
            firing = enough and above and p_value < settings.alpha
            calm = not enough or not above or p_value >= settings.resolve_alpha
        else:
            p_value = None
            share = part / count if count else 0.0
            firing = enough and share >= settings.absolute_share
            calm = not firing
        checks.append(WindowCheck(name, part, count, p_value, firing, calm))
    return Judgement(rule, tuple(checks), b_part, b_count, p0)


@dataclass(frozen=True)
class AlertState:
    """What the rules need to know about an open (or acknowledged) alert."""

    level: int
    level_since: datetime
    last_notified_at: datetime
    notified_parts: dict[str, int] = field(default_factory=dict)
    acknowledged: bool = False


class Action(StrEnum):
    NONE = "none"
    RAISE = "raise"  # a new alert: tell the SHO
    REPEAT = "repeat"  # still bad after the cooldown, not acknowledged: tell them again
    WORSE = "worse"  # clearly worse than last told: tell them now and escalate one level
    ESCALATE = "escalate"  # not acknowledged in time: tell the next level
    RESOLVE = "resolve"  # back to normal: tell everyone who was told


@dataclass(frozen=True)
class Decision:
    action: Action
    level: int = 0  # the alert's level after this decision
    reason: str = ""

    def recipients(self, previous_level: int) -> tuple[str, ...]:
        """The roles that get this notice."""
        if self.action is Action.NONE:
            return ()
        if self.action is Action.ESCALATE:
            return ROLES[previous_level + 1 : self.level + 1]
        return ROLES[: self.level + 1]


def _clearly_worse(judgement: Judgement, alert: AlertState, settings: RuleSettings) -> bool:
    for check in judgement.checks:
        told = alert.notified_parts.get(check.window, 0)
        if (
            check.firing
            and check.part >= told * settings.worsening_ratio
            and check.part - told >= settings.worsening_min_increase
        ):
            return True
    return False


def decide(
    judgement: Judgement, alert: AlertState | None, now: datetime, settings: RuleSettings
) -> Decision:
    """What to do for one station and rule, given its open alert (None: there is none)."""
    if alert is None:
        if judgement.firing:
            return Decision(Action.RAISE, 0, "spike")
        return Decision(Action.NONE)
    if judgement.calm:
        return Decision(Action.RESOLVE, alert.level, "back to normal")
    if judgement.firing and _clearly_worse(judgement, alert, settings):
        return Decision(Action.WORSE, min(alert.level + 1, settings.top_level), "worse")
    if (
        not alert.acknowledged
        and alert.level < settings.top_level
        and now - alert.level_since >= settings.escalation_delays[alert.level]
    ):
        return Decision(Action.ESCALATE, alert.level + 1, "not acknowledged")
    if (
        judgement.firing
        and not alert.acknowledged
        and now - alert.last_notified_at >= settings.cooldown
    ):
        return Decision(Action.REPEAT, alert.level, "still high after the cooldown")
    return Decision(Action.NONE, alert.level)


def backoff(attempts: int, base_s: float, cap_s: float) -> float:
    """Seconds to wait before attempt ``attempts + 1``: doubling from ``base_s``, capped."""
    return min(cap_s, base_s * 2 ** max(0, attempts - 1))
