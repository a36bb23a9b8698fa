"""The direction's page reads the overdue notice's state as the notifier records it: nothing
before the notice, then when it was recorded and how many of its messages were sent."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.auth import Role
from tests.integration.analytics.conftest import signed_in
from tests.integration.analytics.test_directions import due, execute, place  # noqa: F401
from tests.police import bearer, officer, token

pytestmark = pytest.mark.integration


def notice_cell(page: str) -> str:
    found = re.search(r"Overdue notice</dt><dd>(.*?)</dd>", page, re.S)
    assert found
    return found[1]


def test_the_page_shows_the_notice_and_how_many_of_its_messages_went(
    infra,
    police_app,
    place,  # noqa: F811
):
    url = infra["DATABASE_URL"]
    api = police_app.test_client()
    made = api.post("/api/v1/directions", headers=bearer(token(url, Role.COMMISSIONER)), json={
        "station_code": place["a"], "what": "Answer every theft complaint within a day",
        "why": "Visitors said nobody answered", "due_on": due(1)})  # fmt: skip
    number = made.get_json()["id"]
    issued = datetime.now(UTC) - timedelta(days=10)
    execute(url, "UPDATE directions SET issued_at = %s, issued_on = %s, due_on = %s WHERE id = %s",
            (issued, issued.date(), issued.date() + timedelta(days=3), number))  # fmt: skip
    client, _ = signed_in(police_app, officer(url, Role.COMMISSIONER))

    assert notice_cell(client.get(f"/directions/{number}").get_data(as_text=True)) == "—"

    # As the notifier writes it: the notice, and one SMS sent and one email still pending.
    execute(url, "INSERT INTO direction_overdue_notices (direction_id, stations, noticed_at)"
            " VALUES (%s, %s, '2026-12-01 04:30:00+00')", (number, [place["a"]]))  # fmt: skip
    for channel, status in (("sms", "sent"), ("email", "pending")):
        key = str(uuid.uuid4())
        execute(url, "INSERT INTO direction_deliveries (id, direction_id, recipient_role,"
                " station_code, channel, address, body, status, idempotency_key)"
                " VALUES (%s, %s, 'sho', %s, %s, 'x', 'y', %s, %s)",
                (key, number, place["a"], channel, status, key))  # fmt: skip
    page = client.get(f"/directions/{number}").get_data(as_text=True)

    cell = notice_cell(page)
    assert "01-12-2026 10:00" in cell or "2026-12-01 10:00" in cell  # 04:30 UTC is 10:00 IST
    assert "2 में से 1 संदेश भेजे गए" in cell and "1 of 2 messages sent" in cell
    assert "Commissioner" in cell
