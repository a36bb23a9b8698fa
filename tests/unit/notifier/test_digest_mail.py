"""The weekly digest's queue on a controlled clock: which weeks are due (09:00 India time on
the Monday after each), the catch-up limit, and one row per week and recipient."""

from __future__ import annotations

from datetime import date, datetime

from services.analytics.digest.figures import Digest
from services.analytics.digest.week import Week
from services.notifier.digest_mail import (
    CITY,
    DigestMailSettings,
    Queued,
    check,
    recipients,
    rows_to_queue,
    texts,
    weeks_to_queue,
)
from shared.india import INDIA

W1 = Week(date(2026, 11, 16))  # Monday 16 to Sunday 22 November 2026
W2 = Week(date(2026, 11, 23))


def india(*args: int) -> datetime:
    return datetime(*args, tzinfo=INDIA)


def test_a_week_is_due_at_nine_on_the_monday_after_it_and_not_a_minute_before():
    assert weeks_to_queue(india(2026, 11, 30, 8, 59), W1, 4) == []
    assert weeks_to_queue(india(2026, 11, 30, 9, 0), W1, 4) == [W2]
    assert weeks_to_queue(india(2026, 12, 6, 23, 0), W1, 4) == [W2]


def test_once_queued_a_week_is_not_due_again():
    assert weeks_to_queue(india(2026, 11, 30, 9, 0), W2, 4) == []
    assert weeks_to_queue(india(2026, 12, 3, 12, 0), W2, 4) == []


def test_missed_weeks_are_caught_up_oldest_first_up_to_the_setting():
    now = india(2026, 12, 14, 10, 0)  # three Mondays after W1's digest was queued
    assert weeks_to_queue(now, W1, 4) == [W2, Week(date(2026, 11, 30)), Week(date(2026, 12, 7))]
    assert weeks_to_queue(now, W1, 2) == [Week(date(2026, 11, 30)), Week(date(2026, 12, 7))]
    # a recipient never mailed before starts with the last week, whatever the setting
    assert weeks_to_queue(now, None, 1) == [Week(date(2026, 12, 7))]
    assert weeks_to_queue(now, None, 4) == [Week(date(2026, 12, 7))]


def test_each_week_goes_to_the_commissioners_office_and_every_zone_with_a_dcp_email():
    wanted = recipients(
        ["cp@example.invalid", "cp-office@example.invalid", "cp@example.invalid"],
        {"East": "dcp.east@example.invalid", "West": "", "South": "dcp.south@example.invalid"},
    )
    assert wanted == [
        (CITY, "cp-office@example.invalid"),
        (CITY, "cp@example.invalid"),
        ("East", "dcp.east@example.invalid"),
        ("South", "dcp.south@example.invalid"),
    ]
    now = india(2026, 12, 1, 10, 0)  # W2 due since yesterday
    rows = rows_to_queue(now, wanted, {r: W1 for r in wanted}, 4)
    assert rows == [Queued(W2, scope, address) for scope, address in wanted]


def test_each_recipient_is_queued_after_its_own_last_week():
    cp, east = (CITY, "cp@example.invalid"), ("East", "dcp.east@example.invalid")
    now = india(2026, 12, 1, 10, 0)
    w0 = Week(date(2026, 11, 9))
    # the office was mailed up to W2; the DCP up to two weeks before; a new DCP never
    new = ("South", "dcp.south@example.invalid")
    rows = rows_to_queue(now, [cp, east, new], {cp: W2, east: w0}, 4)
    assert rows == [Queued(W1, *east), Queued(W2, *east), Queued(W2, *new)]


class FakeOutbox:
    def __init__(self) -> None:
        self.rows: set[Queued] = set()

    def latest_queued(self):
        latest: dict = {}
        for r in self.rows:
            latest[(r.scope, r.address)] = max(r.week, latest.get((r.scope, r.address), r.week))
        return latest

    def dcp_emails(self):
        return {"East": "dcp.east@example.invalid"}

    def queue(self, rows):
        new = set(rows) - self.rows
        self.rows |= new
        return len(new)


def test_a_check_queues_the_due_week_once_however_often_it_runs():
    outbox = FakeOutbox()
    settings = DigestMailSettings(commissioner_emails=("cp@example.invalid",), catch_up_weeks=1)
    assert check(outbox, settings, india(2026, 11, 30, 8, 0)) == 2  # W1, due last Monday
    assert check(outbox, settings, india(2026, 11, 30, 8, 59)) == 0
    assert check(outbox, settings, india(2026, 11, 30, 9, 0)) == 2  # W2
    assert check(outbox, settings, india(2026, 11, 30, 9, 1)) == 0
    assert {(r.week, r.scope) for r in outbox.rows} == {
        (W1, CITY), (W1, "East"), (W2, CITY), (W2, "East"),
    }  # fmt: skip


def test_the_settings_come_from_the_environment():
    s = DigestMailSettings.from_env(
        {"DIGEST_COMMISSIONER_EMAILS": " cp@example.invalid , office@example.invalid,",
         "DIGEST_CATCH_UP_WEEKS": "2"}
    )  # fmt: skip
    assert s.commissioner_emails == ("cp@example.invalid", "office@example.invalid")
    assert s.catch_up_weeks == 2
    assert DigestMailSettings.from_env({}).catch_up_weeks == 4


def test_the_email_text_is_hindi_first_with_english_and_says_the_count():
    digest = Digest(W2, "East", ("पूर्व", "East"), 17, 12, (), (), (), ())
    subject, body = texts(digest)
    assert subject.startswith("साप्ताहिक सारांश · Weekly digest 2026-11-23 – 2026-11-29")
    assert "पूर्व ज़ोन · East zone" in subject
    assert body.index("इस सप्ताह की प्रतिक्रियाएँ: 17") < body.index("Feedback this week: 17")
