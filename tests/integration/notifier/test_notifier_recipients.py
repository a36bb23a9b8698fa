"""Recipients from the station registry: the QR service's stations topic first, the registry
tables for a station the topic has not told of."""

from __future__ import annotations

import uuid

import pytest

from services.notifier.recipients import FeedDirectory, PostgresDirectory
from shared.kafka_io import durable_producer
from shared.stations_feed import STATIONS_TOPIC, Contact, StationChanged, StationsFeed
from tests.support import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def feed(infra):
    reader = StationsFeed(infra["KAFKA_BOOTSTRAP_SERVERS"], client_id=f"t-{uuid.uuid4().hex[:6]}")
    reader.start()
    yield reader
    reader.stop()


def test_contacts_come_from_the_stations_topic_and_else_from_the_tables(infra, feed, sho_station):
    code = f"T-{uuid.uuid4().hex[:10].upper()}"
    record = StationChanged(
        change="created", code=code, name_en="Feed station", name_hi="फ़ीड थाना", zone="West",
        active=True, qr_version=1, revision=1,
        sho=Contact("SHO Feed", "+919811111111", "sho.feed@example.invalid"),
        acp=Contact("ACP West", "+919000000102", "acp.west@example.invalid"),
        dcp=Contact("DCP West", "+919000000112", "dcp.west@example.invalid"),
    )  # fmt: skip
    producer = durable_producer(infra["KAFKA_BOOTSTRAP_SERVERS"], client_id="t-stations")
    producer.send(STATIONS_TOPIC, key=record.key, value=record.to_json()).get(10)
    producer.close()
    directory = FeedDirectory(feed, PostgresDirectory(infra["DATABASE_URL"]))

    from_feed = wait_until(lambda: directory.contacts(code), timeout_s=20)
    from_tables = directory.contacts(sho_station["code"])

    assert from_feed.name_hi == "फ़ीड थाना" and from_feed.zone == "West"
    assert from_feed.officers["sho"].mobile == "+919811111111"
    assert from_feed.officers["acp"].email == "acp.west@example.invalid"
    assert from_tables.officers["sho"].mobile == sho_station["sho_mobile"]
    assert from_tables.officers["acp"].mobile == "+919000000101"  # zone East, from the seed
    assert directory.contacts("T-NOT-A-STATION") is None
