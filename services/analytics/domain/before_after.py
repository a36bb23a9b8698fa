"""Before and after a direction: did a station's scores change by more than noise?

Pure arithmetic, no I/O. Two equal windows either side of the direction's moment give, for
each, the count of feedback, the sum of the stars and of their squares, and the count that
said their problem was resolved. The change in mean stars gets Welch's interval (unequal
variances, Welch-Satterthwaite degrees of freedom, Student's t); the change in the share
resolved gets Newcombe's hybrid score interval (from the two Wilson intervals). Below a
minimum sample on either side nothing is claimed. The words say only what the interval
shows: a change "more than noise" only when the interval leaves out zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist


@dataclass(frozen=True)
class Sample:
    """One window's feedback: how many, the sum of the stars and of their squares, and how
    many said the problem was resolved."""

    count: int
    rating_sum: int
    rating_square_sum: int
    resolved: int

    @property
    def mean_rating(self) -> float | None:
        return self.rating_sum / self.count if self.count else None

    @property
    def rating_variance(self) -> float | None:
        """The sample variance of the stars (n - 1 in the denominator)."""
        if self.count < 2:
            return None
        mean = self.rating_sum / self.count
        return max(0.0, (self.rating_square_sum - self.count * mean * mean) / (self.count - 1))

    @property
    def resolved_share(self) -> float | None:
        return self.resolved / self.count if self.count else None


@dataclass(frozen=True)
class Interval:
    """The observed change (after minus before) and its confidence interval."""

    change: float
    low: float
    high: float

    @property
    def verdict(self) -> str:
        """ "up" or "down" when the interval leaves out zero, else "noise"."""
        if self.low > 0:
            return "up"
        if self.high < 0:
            return "down"
        return "noise"


# --- Student's t, from the regularised incomplete beta function ---------------------------


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    # Lentz's method for the continued fraction of I_x(a, b).
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < eps:
            break
    return result


def regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularised incomplete beta function, for 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
        + a * math.log(x) + b * math.log1p(-x)
    )  # fmt: skip
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` (real, > 0) degrees of freedom."""
    tail = 0.5 * regularized_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile (0.5 < p < 1) of Student's t with ``df`` degrees of freedom."""
    if not 0.5 < p < 1.0 or df <= 0:
        raise ValueError("t_quantile needs 0.5 < p < 1 and df > 0")
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):  # bisection to double precision
        mid = (low + high) / 2.0
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-13 * max(1.0, high):
            break
    return (low + high) / 2.0


# --- the two intervals ----------------------------------------------------------------------


def welch_interval(before: Sample, after: Sample, level: float = 0.95) -> Interval | None:
    """Welch's interval for the change in mean stars (after minus before); None when either
    side has fewer than two ratings. When both sides have no spread at all the interval is
    the observed change itself (every visitor on each side gave the same stars)."""
    var_b, var_a = before.rating_variance, after.rating_variance
    if var_b is None or var_a is None:
        return None
    change = after.rating_sum / after.count - before.rating_sum / before.count
    se_b, se_a = var_b / before.count, var_a / after.count
    standard_error = math.sqrt(se_b + se_a)
    if standard_error == 0.0:
        return Interval(change, change, change)
    df = (se_b + se_a) ** 2 / (
        (se_b**2 / (before.count - 1) if se_b else 0.0)
        + (se_a**2 / (after.count - 1) if se_a else 0.0)
    )
    half = t_quantile(0.5 + level / 2.0, df) * standard_error
    return Interval(change, change - half, change + half)


def wilson_interval(successes: int, count: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for one proportion."""
    if count <= 0 or not 0 <= successes <= count:
        raise ValueError("wilson_interval needs 0 <= successes <= count and count > 0")
    z = NormalDist().inv_cdf(0.5 + level / 2.0)
    p = successes / count
    centre = p + z * z / (2 * count)
    spread = z * math.sqrt(p * (1 - p) / count + z * z / (4 * count * count))
    denominator = 1 + z * z / count
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


def newcombe_interval(before: Sample, after: Sample, level: float = 0.95) -> Interval | None:
    """Newcombe's hybrid score interval (his method 10) for the change in the share resolved
    (after minus before); None when either side is empty."""
    if before.count == 0 or after.count == 0:
        return None
    p_a, p_b = after.resolved / after.count, before.resolved / before.count
    low_a, high_a = wilson_interval(after.resolved, after.count, level)
    low_b, high_b = wilson_interval(before.resolved, before.count, level)
    change = p_a - p_b
    low = change - math.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2)
    high = change + math.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2)
    return Interval(change, low, high)


# --- the verdict in words -------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """The two windows, the two intervals (None when there is not enough data) and the
    sentences that explain them, Hindi and English."""

    before: Sample
    after: Sample
    min_count: int
    level: float
    stars: Interval | None
    resolved: Interval | None

    @property
    def enough_data(self) -> bool:
        return self.before.count >= self.min_count and self.after.count >= self.min_count

    def stars_words(self) -> tuple[str, str]:
        if not self.enough_data or self.stars is None:
            return self._not_enough()
        i, pct = self.stars, round(self.level * 100)
        span_en = f"between {i.low:+.2f} and {i.high:+.2f} stars"
        span_hi = f"{i.low:+.2f} से {i.high:+.2f} स्टार के बीच"
        if i.verdict == "noise":
            return (
                f"औसत रेटिंग में {i.change:+.2f} का बदलाव दिखा, पर यह संयोग (शोर) से अधिक नहीं है:"
                f" {pct}% विश्वास अंतराल ({span_hi}) में शून्य भी है। इससे कोई असर सिद्ध नहीं होता।",
                f"Average stars moved by {i.change:+.2f}, but that is within noise: the {pct}%"
                f" confidence interval ({span_en}) includes zero. No effect is shown.",
            )
        up = i.verdict == "up"
        return (
            f"औसत रेटिंग {'बढ़ी' if up else 'घटी'} है ({i.change:+.2f}), और यह शोर से अधिक है:"
            f" {pct}% विश्वास अंतराल {span_hi} है, जिसमें शून्य नहीं है।",
            f"Average stars {'rose' if up else 'fell'} ({i.change:+.2f}), more than noise:"
            f" the {pct}% confidence interval is {span_en}, which leaves out zero.",
        )

    def resolved_words(self) -> tuple[str, str]:
        if not self.enough_data or self.resolved is None:
            return self._not_enough()
        i, pct = self.resolved, round(self.level * 100)
        points = f"{i.change * 100:+.1f}"
        span_en = f"between {i.low * 100:+.1f} and {i.high * 100:+.1f} percentage points"
        span_hi = f"{i.low * 100:+.1f} से {i.high * 100:+.1f} प्रतिशत अंक के बीच"
        if i.verdict == "noise":
            return (
                f"सुलझी समस्याओं का हिस्सा {points} प्रतिशत अंक बदला, पर यह शोर से अधिक नहीं है:"
                f" {pct}% विश्वास अंतराल ({span_hi}) में शून्य भी है। इससे कोई असर सिद्ध नहीं होता।",
                f"The share resolved moved by {points} percentage points, but that is within"
                f" noise: the {pct}% confidence interval ({span_en}) includes zero."
                " No effect is shown.",
            )
        up = i.verdict == "up"
        return (
            f"सुलझी समस्याओं का हिस्सा {'बढ़ा' if up else 'घटा'} है ({points} प्रतिशत अंक), और यह"
            f" शोर से अधिक है: {pct}% विश्वास अंतराल {span_hi} है, जिसमें शून्य नहीं है।",
            f"The share resolved {'rose' if up else 'fell'} ({points} percentage points), more"
            f" than noise: the {pct}% confidence interval is {span_en}, which leaves out zero.",
        )

    def _not_enough(self) -> tuple[str, str]:
        n = self.min_count
        return (
            f"पर्याप्त आँकड़े नहीं: तुलना के लिए दोनों अवधियों में कम से कम {n} प्रतिक्रियाएँ चाहिए"
            f" (पहले {self.before.count}, बाद में {self.after.count})। कोई निष्कर्ष नहीं।",
            f"Not enough data: a comparison needs at least {n} responses in each window"
            f" (before {self.before.count}, after {self.after.count}). No conclusion is drawn.",
        )


def compare(before: Sample, after: Sample, min_count: int, level: float = 0.95) -> Comparison:
    """The before-and-after comparison of two windows' samples."""
    if min_count < 2:
        raise ValueError("min_count must be at least 2")
    stars = welch_interval(before, after, level)
    resolved = newcombe_interval(before, after, level)
    return Comparison(before, after, min_count, level, stars, resolved)
