"""What the dashboard, the station page and the read API show, from the read use cases
over fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.analytics.domain import RankingPolicy
from services.analytics.usecases.reads import (
    ReadDeps,
    UnknownStation,
    dashboard_data,
    ranking_items,
    station_page,
    station_scores,
    station_trend,
)
from shared.scores import WindowStats
from tests.unit.analytics.read_fakes import FakeIdentities, FakeReads, FakeScores

TODAY = date(2026, 11, 20)


def stats(count: int, rating_sum: int, **more: int) -> WindowStats:
    return WindowStats(count=count, rating_sum=rating_sum, **more)


@pytest.fixture
def reads() -> FakeReads:
    fake = FakeReads()
    for code, zone in (("GGN-A", "East"), ("GGN-B", "East"), ("GGN-C", "West"), ("GGN-D", "East")):
        fake.add_station(code, zone)
    fake.add_station("GGN-SHUT", active=False)
    return fake


@pytest.fixture
def scores() -> FakeScores:
    fake = FakeScores()
    fake.put("GGN-A", "30d", stats(20, 90))  # 4.5 stars on 20 responses
    fake.put("GGN-B", "30d", stats(12, 36))  # 3.0 on 12
    fake.put("GGN-C", "30d", stats(3, 15))  # 5.0 on 3: too few to rank
    return fake


@pytest.fixture
def deps(reads, scores) -> ReadDeps:
    return ReadDeps(reads, scores, RankingPolicy(prior_weight=10, min_count=10),
                    FakeIdentities(reads))  # fmt: skip


def test_the_ranking_lists_ranked_stations_first_then_too_few_then_none(deps):
    items = ranking_items(deps, "30d", None)

    assert [(i["station_code"], i["rank"], i["count"]) for i in items] == [
        ("GGN-A", 1, 20), ("GGN-B", 2, 12), ("GGN-C", None, 3), ("GGN-D", None, 0),
    ]  # fmt: skip
    assert [i["enough_feedback"] for i in items] == [True, True, False, False]
    assert items[3]["score"] is None
    # (10 * city mean 141/35 + 90) / (10 + 20): pulled towards the city-wide mean
    assert items[0]["score"] == 4.343
    assert "GGN-SHUT" not in {i["station_code"] for i in items}


def test_the_ranking_of_a_zone_ignores_case_and_the_dashboard_lists_the_zones(deps):
    items, zones = dashboard_data(deps, "30d", "west")

    assert [i["station_code"] for i in items] == ["GGN-C"]
    assert [z["code"] for z in zones] == ["East", "West"]


def test_a_station_without_feedback_has_zero_counts_in_every_window(deps):
    windows = station_scores(deps, "GGN-D")

    assert set(windows) == {"24h", "7d", "30d"}
    assert windows["30d"]["count"] == 0 and windows["30d"]["avg_rating"] is None


def test_a_station_s_scores_are_its_windows_summaries(deps, scores):
    scores.put("GGN-A", "24h", stats(4, 10, low_ratings=1, unresolved=1))

    windows = station_scores(deps, "GGN-A")

    assert windows["24h"]["avg_rating"] == 2.5
    assert windows["24h"]["low_rating_share"] == 0.25
    assert windows["24h"]["resolved_share"] == 0.75
    assert windows["30d"]["count"] == 20


def test_an_unknown_station_is_refused_by_every_station_read(deps):
    with pytest.raises(UnknownStation):
        station_scores(deps, "GGN-NOWHERE")
    with pytest.raises(UnknownStation):
        station_trend(deps, "GGN-NOWHERE", 7, TODAY)
    with pytest.raises(UnknownStation):
        station_page(deps, "GGN-NOWHERE", 7, TODAY)


def test_the_station_page_shows_its_days_and_latest_comments_in_india_time(deps, reads):
    for n, (rating, resolved) in enumerate(((1, False), (5, True), (2, True))):
        reads.feedback.append({
            "station_code": "GGN-A", "day": TODAY, "rating": rating,
            "problem_resolved": resolved, "complaint_type": "theft" if n else "nonsense",
            "comments": f"visit {n}", "submitted_at": datetime(2026, 11, 20, n, 0, tzinfo=UTC),
        })  # fmt: skip

    page = station_page(deps, "GGN-A", 7, TODAY)

    assert len(page.series) == 7 and page.total == 3
    assert page.series[-1] == {"date": "2026-11-20", "count": 3, "avg_rating": 2.667,
                               "low_rating_share": 0.6667, "unresolved_share": 0.3333}  # fmt: skip
    assert [c["comments"] for c in page.comments] == ["visit 2", "visit 1", "visit 0"]
    assert page.comments[0]["when"] == "2026-11-20 07:30"
    assert page.comments[1]["type_label"].endswith("· Theft")
    assert page.comments[2]["type_label"] == "अन्य · Other"
    assert page.windows["30d"]["count"] == 20


class CountingReads(FakeReads):
    """The fake registry, counting how often the whole registry is read."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def stations(self):
        self.reads += 1
        return super().stations()


def test_a_ranking_is_built_once_while_neither_the_registry_nor_the_scores_move(scores):
    reads = CountingReads()
    for code, zone in (("GGN-A", "East"), ("GGN-B", "East"), ("GGN-C", "West")):
        reads.add_station(code, zone)
    deps = ReadDeps(reads, scores, RankingPolicy(prior_weight=10, min_count=10),
                    FakeIdentities(reads))  # fmt: skip

    first = ranking_items(deps, "30d", None)
    assert list(ranking_items(deps, "30d", None)) == list(first)
    assert reads.reads == 1
    assert [i["station_code"] for i in ranking_items(deps, "30d", "west")] == ["GGN-C"]
    assert reads.reads == 2  # another zone is another ranking

    scores.put("GGN-B", "30d", stats(40, 200))  # 5.0 on 40: now first
    assert [i["station_code"] for i in ranking_items(deps, "30d", None)][:2] == ["GGN-B", "GGN-A"]
    reads.add_station("GGN-E", "West")
    assert "GGN-E" in {i["station_code"] for i in ranking_items(deps, "30d", None)}
    assert reads.reads == 4


class UnversionedScores(FakeScores):
    """Scores whose source cannot say whether they moved (Redis lost its data)."""

    def version(self):
        return None


def test_without_a_version_from_the_scores_every_ranking_is_built_anew():
    reads, scores = CountingReads(), UnversionedScores()
    reads.add_station("GGN-A", "East")
    scores.put("GGN-A", "30d", stats(20, 90))
    deps = ReadDeps(reads, scores, RankingPolicy(prior_weight=10, min_count=10),
                    FakeIdentities(reads))  # fmt: skip

    ranking_items(deps, "30d", None)
    scores.windows["GGN-A"]["30d"] = stats(20, 20)  # changed behind the version's back
    assert ranking_items(deps, "30d", None)[0]["score"] < 2
    assert reads.reads == 2
