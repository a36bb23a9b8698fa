"""The before-and-after arithmetic against figures computed independently with SciPy 1.x
(scipy.stats.ttest_ind(..., equal_var=False).confidence_interval(), stats.t, stats.beta)
and against Newcombe's own worked example (Statistics in Medicine 17, 1998, table II:
56/70 against 48/80 gives 0.0524 to 0.3339 by his method 10)."""

from __future__ import annotations

import pytest

from services.analytics.domain.before_after import (
    Sample,
    compare,
    newcombe_interval,
    regularized_beta,
    t_cdf,
    t_quantile,
    welch_interval,
    wilson_interval,
)


def sample(stars: list[int], resolved: int = 0) -> Sample:
    return Sample(len(stars), sum(stars), sum(s * s for s in stars), resolved)


BEFORE = [1] * 6 + [2] * 5 + [3] * 4 + [4] * 3 + [5] * 2  # n = 20, mean 2.5
AFTER = [1] * 2 + [2] * 3 + [3] * 5 + [4] * 6 + [5] * 6  # n = 22, mean 3.5


def test_student_t_matches_scipy() -> None:
    assert t_quantile(0.975, 7.3) == pytest.approx(2.345066736547703, rel=1e-9)
    assert t_quantile(0.975, 1) == pytest.approx(12.706204736174694, rel=1e-9)
    assert t_quantile(0.975, 200.5) == pytest.approx(1.971866290304378, rel=1e-9)
    assert t_cdf(1.3, 4.5) == pytest.approx(0.871901956027983, rel=1e-9)
    assert regularized_beta(2.5, 4.0, 0.3) == pytest.approx(0.3521975859067672, rel=1e-9)


def test_welch_interval_matches_scipy_when_the_change_is_real() -> None:
    interval = welch_interval(sample(BEFORE), sample(AFTER))

    assert interval is not None
    assert interval.change == pytest.approx(1.0)
    assert interval.low == pytest.approx(0.16876741828832642, rel=1e-8)
    assert interval.high == pytest.approx(1.8312325817116735, rel=1e-8)
    assert interval.verdict == "up"


def test_welch_interval_matches_scipy_when_the_change_is_noise() -> None:
    before = sample([3, 4, 4, 5, 2, 3, 4, 3, 5, 4])
    after = sample([4, 3, 5, 4, 3, 4, 2, 5, 4, 3, 4])

    interval = welch_interval(before, after)

    assert interval is not None
    assert interval.change == pytest.approx(0.027272727272726893)
    assert interval.low == pytest.approx(-0.8225766712677492, rel=1e-8)
    assert interval.high == pytest.approx(0.877122125813203, rel=1e-8)
    assert interval.verdict == "noise"


def test_welch_interval_needs_two_ratings_a_side_and_handles_no_spread() -> None:
    assert welch_interval(sample([4]), sample([3, 4])) is None
    flat = welch_interval(sample([2, 2, 2]), sample([4, 4]))
    assert flat is not None and (flat.low, flat.high) == (2.0, 2.0)


def test_newcombe_interval_matches_newcombes_worked_example_and_scipy() -> None:
    # after = 56 of 70 resolved, before = 48 of 80
    interval = newcombe_interval(Sample(80, 0, 0, 48), Sample(70, 0, 0, 56))

    assert interval is not None
    assert interval.change == pytest.approx(0.2)
    assert interval.low == pytest.approx(0.0524, abs=5e-5)
    assert interval.high == pytest.approx(0.3339, abs=5e-5)
    assert interval.low == pytest.approx(0.05243147240236498, rel=1e-9)
    assert interval.high == pytest.approx(0.333872654036906, rel=1e-9)

    small = newcombe_interval(Sample(10, 0, 0, 3), Sample(10, 0, 0, 9))
    assert small is not None
    assert (small.low, small.high) == (
        pytest.approx(0.17052272393450307, rel=1e-9),
        pytest.approx(0.8090179735354881, rel=1e-9),
    )


def test_a_fall_is_called_a_fall() -> None:
    interval = newcombe_interval(Sample(22, 0, 0, 18), Sample(20, 0, 0, 9))

    assert interval is not None
    assert interval.low == pytest.approx(-0.5886687331103058, rel=1e-9)
    assert interval.high == pytest.approx(-0.07735735182836312, rel=1e-9)
    assert interval.verdict == "down"


def test_wilson_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    assert wilson_interval(0, 5)[0] == pytest.approx(0.0, abs=1e-12)


def test_below_the_minimum_sample_nothing_is_claimed() -> None:
    comparison = compare(sample(BEFORE), sample(AFTER[:9]), min_count=10)

    assert not comparison.enough_data
    hindi, english = comparison.stars_words()
    assert english.startswith("Not enough data") and "after 9" in english
    assert "पर्याप्त आँकड़े नहीं" in hindi
    assert comparison.resolved_words() == (hindi, english)


def test_the_words_say_noise_when_the_interval_holds_zero() -> None:
    before = sample([3, 4, 4, 5, 2, 3, 4, 3, 5, 4], resolved=6)
    after = sample([4, 3, 5, 4, 3, 4, 2, 5, 4, 3, 4], resolved=7)

    comparison = compare(before, after, min_count=10)

    hindi, english = comparison.stars_words()
    assert "within noise" in english and "No effect is shown" in english
    assert "-0.82" in english and "+0.88" in english
    assert "कोई असर सिद्ध नहीं होता" in hindi
    assert "No effect is shown" in comparison.resolved_words()[1]


def test_the_words_claim_a_change_only_when_the_interval_leaves_out_zero() -> None:
    comparison = compare(sample(BEFORE, resolved=9), sample(AFTER, resolved=18), min_count=10)

    stars_hi, stars_en = comparison.stars_words()
    assert stars_en.startswith("Average stars rose (+1.00), more than noise")
    assert "+0.17" in stars_en and "+1.83" in stars_en
    assert "बढ़ी" in stars_hi
    resolved_en = comparison.resolved_words()[1]
    assert resolved_en.startswith("The share resolved rose (+36.8 percentage points)")
    assert "+7.7" in resolved_en and "+58.9" in resolved_en
