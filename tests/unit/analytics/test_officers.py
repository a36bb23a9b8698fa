"""Officers gathered at one station from the names visitors typed, with the admin's merges
and splits, and no figure below the minimum count."""

from services.analytics.domain.officers import NameTally, gather, officer_of
from shared.textkeys import officer_key

RAMESH, RAMESH_KUMAR, RAMESH_YADAV = (officer_key(n) for n in ("Ramesh", "Ramesh Kumar",
                                                                "Ramesh Yadav"))  # fmt: skip


def tally(name: str, count: int, rating_sum: int | None = None) -> NameTally:
    return NameTally(officer_key(name), name, count, rating_sum if rating_sum else 4 * count)


def test_the_issues_four_spellings_gather_under_one_officer() -> None:
    typed = ["SI Ramesh", "Ramesh Kumar SI", "रमेश", "ramesh  kumar"]
    tallies = {}
    for name in typed:
        key = officer_key(name)
        old = tallies.get(key)
        tallies[key] = NameTally(
            key, name, (old.count if old else 0) + 1, 4 * ((old.count if old else 0) + 1)
        )
    officers = gather(tallies.values(), {}, min_count=1)
    assert len(officers) == 1
    assert officers[0].count == 4 and officers[0].avg_rating == 4.0


def test_a_one_word_name_shared_by_two_officers_stays_apart() -> None:
    mapping = officer_of([RAMESH, RAMESH_KUMAR, RAMESH_YADAV], {})
    assert mapping == {RAMESH: RAMESH, RAMESH_KUMAR: RAMESH_KUMAR, RAMESH_YADAV: RAMESH_YADAV}


def test_a_merge_gathers_names_and_their_figures_follow() -> None:
    tallies = [tally("Ramesh", 3, 3), tally("Ramesh Kumar", 2, 10), tally("Ramesh Yadav", 4, 8)]
    before = {o.officer_key: o.count for o in gather(tallies, {}, min_count=1)}
    assert before == {RAMESH: 3, RAMESH_KUMAR: 2, RAMESH_YADAV: 4}
    aliases = {RAMESH: RAMESH_KUMAR, RAMESH_KUMAR: RAMESH_KUMAR}
    after = {o.officer_key: (o.count, o.avg_rating) for o in gather(tallies, aliases, 1)}
    assert after == {RAMESH_KUMAR: (5, 2.6), RAMESH_YADAV: (4, 2.0)}


def test_a_split_keeps_a_name_apart_from_the_longer_one() -> None:
    tallies = [tally("Ramesh", 3), tally("Ramesh Kumar", 2)]
    assert len(gather(tallies, {}, 1)) == 1
    split = gather(tallies, {RAMESH: RAMESH}, 1)
    assert sorted(o.officer_key for o in split) == sorted([RAMESH, RAMESH_KUMAR])


def test_a_name_gathered_into_a_merged_officer_follows_the_merge() -> None:
    sunil = officer_key("Sunil Kumar")
    tallies = [tally("Ramesh", 1), tally("Ramesh Kumar", 1), tally("Sunil Kumar", 1)]
    officers = gather(tallies, {RAMESH_KUMAR: sunil}, 1)
    assert [(o.officer_key, o.count) for o in officers] == [(sunil, 3)]


def test_no_figure_below_the_minimum_count() -> None:
    officers = gather([tally("Ramesh Kumar", 5), tally("Suresh", 4)], {}, min_count=5)
    shown = {o.name: o.avg_rating for o in officers}
    assert shown == {"Ramesh Kumar": 4.0, "Suresh": None}
    assert [o.shown for o in officers] == [True, False]


def test_the_most_typed_spelling_names_the_officer() -> None:
    officers = gather([tally("रमेश कुमार", 5), tally("SI Ramesh Kumar", 2)], {}, 1)
    assert officers[0].name == "रमेश कुमार" and officers[0].count == 7


def test_feedback_naming_no_officer_gathers_nothing() -> None:
    assert gather([NameTally("", "SI", 9, 9)], {}, 1) == []
