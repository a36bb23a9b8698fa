"""The operations page as operations people see it: every service running as in
production (gunicorn, the consumers as workers, the operations service sampling the lag in
the background), the page in a real headless browser.

Besides the installation's own groups, the operations service here also watches a group of
the test's own, on a topic of its own, that has not consumed anything yet: the page must
show exactly the messages waiting for it and call it stopped, then, once the group has
caught up, nothing waiting and OK. An officer of the ``ops`` role signs in through the login
form; an SHO who opens the page is refused."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata

from shared.auth import Role
from shared.kafka_io import kafka_security
from tests import police
from tests.support import wait_until

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".data" / "test-screenshots"
WAITING = 7


@pytest.fixture(scope="module")
def behind(infra) -> tuple[str, str]:
    """(group, topic): WAITING messages on a one-partition topic, none consumed."""
    bootstrap = infra["KAFKA_BOOTSTRAP_SERVERS"]
    group, topic = f"e2e-{uuid.uuid4().hex[:8]}", f"test.ops.{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, **kafka_security())
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", **kafka_security())
    for _ in range(WAITING):
        producer.send(topic, value=b"{}")
    producer.flush()
    producer.close()
    return group, topic


@pytest.fixture(scope="module")
def ops_url(stack_config, infra, all_services, behind):
    from ops import services
    from ops.config import DEFAULT_GROUPS

    group, topic = behind
    watching = {
        **infra,
        "OPS_CONSUMER_GROUPS": f"{DEFAULT_GROUPS} {group}:{topic}",
        "OPS_LAG_SAMPLE_S": "1",
    }
    services.stop_service(stack_config, "ops")
    port = services.start_service(stack_config, "ops", watching)
    yield f"http://127.0.0.1:{port}"
    services.stop_service(stack_config, "ops")
    services.start_service(stack_config, "ops", infra)


def _group(page, name: str) -> tuple[str | None, int, str]:
    """(status, messages waiting, reason) as the page shows them for group ``name``."""
    section = page.locator(f'section[data-group="{name}"]')
    lag = int(section.locator("[data-lag]").inner_text().replace(",", ""))
    return section.get_attribute("data-status"), lag, section.locator(".reason").inner_text()


@pytest.fixture(scope="module")
def operator(infra) -> police.Officer:
    return police.officer(infra["DATABASE_URL"], Role.OPS)


def signed_in_page(browser, ops_url: str, who: police.Officer):
    """A desktop-sized page signed in as ``who`` through the login form, on /ops."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="hi-IN")
    page = context.new_page()
    police.sign_in_browser(page, ops_url, who, "/ops")
    return context, page


def test_operations_see_every_group_service_and_server_on_one_page(
    browser, ops_url, behind, operator
):
    group, _ = behind
    context, page = signed_in_page(browser, ops_url, operator)
    assert page.url == f"{ops_url}/ops"

    def everything_ready_and_consumers_caught_up():
        page.goto(f"{ops_url}/ops")
        rows = page.locator("tr[data-service], tr[data-server]")
        bad = rows.evaluate_all("rs => rs.filter(r => r.className != 'good').length")
        ours = [_group(page, g)[:2] for g in ("analytics", "notifier")]
        return rows.count() == 7 and bad == 0 and ours == [("OK", 0), ("OK", 0)]

    # The notifier is ready once its worker's first heartbeat is in; the consumers catch up
    # with whatever earlier tests submitted.
    wait_until(everything_ready_and_consumers_caught_up, timeout_s=60, interval_s=1.0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ops.png"), full_page=True)

    assert page.locator("section[data-group]").count() == 3
    for name in ("analytics", "notifier", group):
        assert page.locator(f'section[data-group="{name}"] svg.chart circle').count() >= 1
    assert _group(page, group) == ("STOP", WAITING, f"no consumers, {WAITING} messages waiting")
    assert page.locator('p.overall[data-overall="attention"]').count() == 1
    assert page.locator("tr[data-topic]").count() == 2
    assert page.locator("h1").inner_text() == "संचालन · Operations"
    assert page.locator('tr[data-service="notifier"]').inner_text().count("ready") == 1
    bar = page.locator("nav.police-bar")
    assert operator.username in bar.inner_text() and "Operations" in bar.inner_text()
    assert bar.locator("button", has_text="Sign out").count() == 1

    context.close()


def test_an_sho_who_opens_the_operations_page_is_refused(browser, infra, ops_url):
    sho = police.officer(infra["DATABASE_URL"], Role.SHO, station_code="GGN-SADAR")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="hi-IN")
    page = context.new_page()
    police.sign_in_browser(page, ops_url, sho, "/ops")

    answer = page.goto(f"{ops_url}/ops")

    assert answer is not None and answer.status == 403
    assert page.locator("section[data-group]").count() == 0
    context.close()


def test_once_the_group_has_consumed_everything_the_page_shows_nothing_waiting_and_ok(
    browser, infra, ops_url, behind, operator
):
    group, topic = behind
    consumer = KafkaConsumer(bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"],
                             group_id=group, enable_auto_commit=False,
                             **kafka_security())  # fmt: skip
    consumer.commit({TopicPartition(topic, 0): OffsetAndMetadata(WAITING, "", -1)})
    consumer.close()
    context, page = signed_in_page(browser, ops_url, operator)

    def caught_up():
        page.goto(f"{ops_url}/ops")
        return _group(page, group)[:2] == ("OK", 0)

    wait_until(caught_up, timeout_s=30, interval_s=1.0)
    assert _group(page, group)[2] == "caught up within the window"
    context.close()
