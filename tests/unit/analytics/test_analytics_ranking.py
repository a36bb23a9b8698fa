"""The fair ranking: a Bayesian average towards the city-wide mean."""

from __future__ import annotations

from services.analytics.domain.ranking import RankingPolicy, city_mean, fair_score, rank_stations
from shared.scores import WindowStats

POLICY = RankingPolicy(prior_weight=10, min_count=10)


def stars(*ratings: int) -> WindowStats:
    return WindowStats(count=len(ratings), rating_sum=sum(ratings))


def test_three_five_star_ratings_do_not_beat_two_hundred_averaging_four_and_a_half():
    stations = {
        "LUCKY": stars(5, 5, 5),
        "STEADY": stars(*([5] * 100 + [4] * 100)),
        "POOR": stars(*([2] * 50 + [3] * 50)),
    }
    ranked = rank_stations(stations, POLICY)
    assert [r.station_code for r in ranked] == ["STEADY", "POOR", "LUCKY"]
    assert [r.rank for r in ranked] == [1, 2, None]
    assert ranked[2].enough_feedback is False


def test_a_few_bad_ratings_do_not_sink_a_station_to_the_bottom_either():
    city = {f"S{i}": stars(*([4] * 30)) for i in range(5)}
    city["UNLUCKY"] = stars(1, 1)
    city["BAD"] = stars(*([2] * 40))
    scores = {r.station_code: r.score for r in rank_stations(city, POLICY)}
    assert scores["UNLUCKY"] > scores["BAD"]


def test_with_a_large_sample_the_score_is_the_station_s_own_average():
    mean = 3.0
    big = stars(*([5] * 5000 + [4] * 5000))
    assert abs(fair_score(big, mean, 10) - 4.5) < 0.002
    assert fair_score(WindowStats(), mean, 10) == mean


def test_the_prior_is_the_city_wide_mean_of_every_response():
    assert city_mean([stars(5, 5), stars(1, 1, 1, 1)]) == 14 / 6
    assert city_mean([]) == 3.0
    # With the city at 3.5 and a prior of 10, one 5-star response scores (35 + 5) / 11.
    city = {"A": stars(*([3] * 50 + [4] * 50)), "B": stars(5)}
    b = next(r for r in rank_stations(city, POLICY) if r.station_code == "B")
    assert b.score == round((10 * (355 / 101) + 5) / 11, 4)


def test_stations_without_feedback_come_last_with_no_score():
    ranked = rank_stations({"EMPTY": WindowStats(), "ONE": stars(3)}, POLICY)
    assert [(r.station_code, r.score, r.rank) for r in ranked][-1] == ("EMPTY", None, None)
