"""Recipients from the station registry as the QR service's stations topic tells it: names
and officers of a station published a moment ago, and of one announced by the registry."""

from __future__ import annotations

import uuid

import pytest

from services.notifier.adapters.stations import build_directory
from shared.acked_sender import AckedSender
from shared.events import Contact, StationChanged
from shared.topics import STATIONS_TOPIC

pytestmark = pytest.mark.integration


@pytest.fixture
def directory(infra):
    found = build_directory(infra["KAFKA_BOOTSTRAP_SERVERS"], f"t-{uuid.uuid4().hex[:6]}")
    yield found
    found.close()


def test_contacts_come_from_the_stations_topic_alone(infra, directory, sho_station):
    code = f"T-{uuid.uuid4().hex[:10].upper()}"
    record = StationChanged(
        change="created", code=code, name_en="Feed station", name_hi="फ़ीड थाना", zone="West",
        active=True, qr_version=1, revision=1,
        sho=Contact("SHO Feed", "+919811111111", "sho.feed@example.invalid"),
        acp=Contact("ACP West", "+919000000102", "acp.west@example.invalid"),
        dcp=Contact("DCP West", "+919000000112", "dcp.west@example.invalid"),
    )  # fmt: skip
    sender = AckedSender(infra["KAFKA_BOOTSTRAP_SERVERS"], 10.0, "t-stations")
    sender.send_all(STATIONS_TOPIC, [(record.key, record.to_json())])
    sender.close()

    from_feed = directory.contacts(code)  # acknowledged before: no wait, no retry
    announced = directory.contacts(sho_station["code"])

    assert from_feed.name_hi == "फ़ीड थाना" and from_feed.zone == "West"
    assert from_feed.officers["sho"].mobile == "+919811111111"
    assert from_feed.officers["acp"].email == "acp.west@example.invalid"
    assert announced.officers["sho"].mobile == sho_station["sho_mobile"]
    assert announced.officers["acp"].mobile == "+919000000101"  # zone East, from the seed
    assert directory.contacts("T-NOT-A-STATION") is None
