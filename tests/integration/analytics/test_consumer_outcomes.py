"""What the consumer tells others: station.scores, the dead-letter topic, sliding windows,
a rebuild from PostgreSQL, and nothing committed while a server is down."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from kafka import KafkaConsumer, TopicPartition

from services.analytics.adapters.postgres import Database
from services.analytics.usecases import rebuild, refresh_moved
from shared.events import StationScoresUpdated
from shared.kafka_io import kafka_security
from tests.integration.analytics.conftest import drain, make_event
from tests.support import create_station, wait_until

pytestmark = pytest.mark.integration


def test_each_touched_station_gets_its_new_scores_on_the_scores_topic(
    infra, make_consumer, publish, scores_tail
):
    code = create_station(infra["DATABASE_URL"])["code"]
    publish(make_event(code, rating=1, problem_resolved=False), make_event(code, rating=5))

    drain(make_consumer(), 2)

    # (A consumer's start also republishes every station: its windows may have moved.)
    records = [r for r in scores_tail.read_to_end() if r.key == code.encode()]
    latest = StationScoresUpdated.from_json(records[-1].value)
    assert latest.station_code == code
    assert latest.windows["24h"].count == 2
    assert latest.windows["24h"].summary()["low_rating_share"] == 0.5
    assert latest.windows["24h"].summary()["resolved_share"] == 0.5
    assert set(latest.windows) == {"1h", "24h", "7d", "30d", "baseline_30d"}


def test_poison_messages_go_to_the_dead_letter_topic_and_the_consumer_keeps_going(
    infra, make_consumer, publish, dlq_tail, feedback_tail, analytics_config, topics
):
    code = create_station(infra["DATABASE_URL"])["code"]
    good = make_event(code)
    wrong_version = json.loads(make_event(code).to_json())
    wrong_version["schema_version"] = 9
    bad_schema = json.loads(make_event(code).to_json())
    bad_schema["rating"] = 11
    publish(b"{not json", key=code.encode())
    publish(json.dumps(wrong_version).encode(), key=code.encode())
    publish(json.dumps(bad_schema).encode(), key=code.encode())
    publish(make_event("NO-SUCH-STATION-X"))
    publish(good)

    consumer = make_consumer()
    drain(consumer, 5)

    letters = dlq_tail.read_to_end()
    by_place = {(r.partition, r.offset): r for r in feedback_tail.read_to_end()}
    reasons = sorted(dict(r.headers)["dlq.reason"].decode() for r in letters)
    assert len(letters) == 4
    assert reasons[0].startswith("not JSON")
    assert any(r.startswith("schema") and "rating" in r for r in reasons)
    assert "unknown schema_version 9" in reasons
    assert "unknown station NO-SUCH-STATION-X" in reasons
    for letter in letters:
        headers = dict(letter.headers)
        assert headers["dlq.origin.topic"].decode() == topics["feedback"]
        # The origin names the very record that was refused, and the letter keeps it as is.
        place = (int(headers["dlq.origin.partition"]), int(headers["dlq.origin.offset"]))
        assert (by_place[place].key, by_place[place].value) == (letter.key, letter.value)
    assert consumer.deps.cache.read_station(code)["24h"].count == 1
    assert committed_total(infra, analytics_config) == 5


def committed_total(infra, config) -> int:
    reader = KafkaConsumer(
        bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"],
        group_id=config.group_id,
        enable_auto_commit=False,
        **kafka_security(),
    )
    try:
        parts = [TopicPartition(config.feedback_topic, p) for p in range(3)]
        return sum(reader.committed(tp) or 0 for tp in parts)
    finally:
        reader.close()


def test_a_station_without_new_feedback_sees_its_windows_slide_as_hours_pass(
    infra, make_consumer, publish, clock, scores_tail
):
    code = create_station(infra["DATABASE_URL"])["code"]
    start = clock.now
    publish(make_event(code, submitted_at=start - timedelta(hours=23), rating=1))
    consumer = make_consumer()
    drain(consumer, 1)
    assert consumer.deps.cache.read_station(code)["24h"].count == 1

    clock.now = start + timedelta(hours=1)
    moved = refresh_moved(consumer.deps, start, clock.now)

    assert code in moved
    windows = consumer.deps.cache.read_station(code)
    assert windows["24h"].count == 0
    assert windows["7d"].count == 1
    assert windows["baseline_30d"].count == 1
    mine = [r for r in scores_tail.read_to_end() if r.key == code.encode()]
    assert StationScoresUpdated.from_json(mine[-1].value).windows["24h"].count == 0
    # The ranking no longer holds the station in the 24-hour window.
    ranked = {r.station_code for r in consumer.deps.cache.ranking("24h", consumer.deps.policy)}
    assert code not in ranked


def test_rebuild_restores_every_station_in_redis_from_postgres(infra, make_consumer, publish):
    code = create_station(infra["DATABASE_URL"])["code"]
    publish(*[make_event(code, rating=r) for r in (1, 2, 5)])
    consumer = make_consumer()
    drain(consumer, 3)
    before = consumer.deps.cache.read_station(code)
    cache = consumer.deps.cache
    cache.client.delete(*cache.client.keys(f"{cache.prefix}:*"))

    rebuild(consumer.deps)

    assert consumer.deps.cache.read_station(code) == before
    assert before["30d"].count == 3 and before["30d"].low_ratings == 2


def test_nothing_is_committed_while_postgres_is_unreachable(
    infra, make_consumer, publish, analytics_config, caplog
):
    code = create_station(infra["DATABASE_URL"])["code"]
    down = make_consumer(known_stations={code})
    down.run_once()  # the start-up rebuild, with PostgreSQL still there
    down.deps.database = Database("postgresql://pratikriya:x@127.0.0.1:1/pratikriya")
    publish(make_event(code), make_event(code))
    caplog.set_level(logging.INFO)
    worker = threading.Thread(target=down.run)
    worker.start()

    def retries_of_the_batch() -> int:
        return sum(
            r.getMessage() == "transient failure, retrying" and getattr(r, "step", "") == "postgres"
            for r in caplog.records
        )

    wait_until(lambda: retries_of_the_batch() >= 2, timeout_s=15)  # it got the batch, retries
    down.stopping.set()
    worker.join(10)

    assert not worker.is_alive()
    assert any(r.getMessage().startswith("stopped while retrying") for r in caplog.records)
    assert committed_total(infra, analytics_config) == 0
    recovered = make_consumer()
    assert drain(recovered, 2) == 2
    assert recovered.deps.cache.read_station(code)["24h"].count == 2


def test_the_consumer_rebuilds_redis_by_itself_after_redis_lost_its_data(
    infra, make_consumer, publish, analytics_config
):
    code = create_station(infra["DATABASE_URL"])["code"]
    publish(*[make_event(code, rating=r) for r in (2, 4)])
    consumer = make_consumer(config=replace(analytics_config, refresh_every_s=0.0))
    drain(consumer, 2)
    cache = consumer.deps.cache
    cache.client.delete(*cache.client.keys(f"{cache.prefix}:*"))  # as FLUSHDB would

    assert consumer.run_once() == 0  # no new feedback: only the refresh runs

    assert cache.read_station(code)["30d"].count == 2
    assert [r.station_code for r in cache.ranking("30d", consumer.deps.policy)].count(code) == 1
