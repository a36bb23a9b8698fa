"""The rights page on the real Redis and PostgreSQL, with codes sent to the recording SMS
gateway: a visitor sees only their own feedback and erases their name and number from it,
the facts staying; the codes in Redis are hashes with a TTL."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

import psycopg2.errors
import pytest

from ops import stack
from services.intake.adapters.rights_postgres import PostgresRights
from services.intake.adapters.rights_redis import RedisCodes
from services.intake.entrypoints.http import create_app
from services.intake.entrypoints.rights import build_rights
from services.intake.rights import StoredCode
from shared import db
from shared.mobile import mobile_hash
from shared.redis_io import redis_client
from tests.integration.notifier.notifier_standins import SmsGatewayStandIn
from tests.support import create_station, unique_mobile

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def gateway():
    with SmsGatewayStandIn() as server:
        yield server


@pytest.fixture
def rights_client(intake_config, infra, gateway):
    env = {**infra, "NOTIFIER_SMS_URL": gateway.url, "NOTIFIER_SMS_API_KEY": "it-key",
           "NOTIFIER_SMS_DLT_TEMPLATE_ID": "1107000000000000009"}  # fmt: skip
    rights = build_rights(intake_config, env)
    app = create_app(intake_config, rights=rights)
    yield app.test_client()
    app.extensions["intake"].publisher.close()


def stored_feedback(database_url: str, station: dict, mobile: str, key: bytes, **facts) -> str:
    """A feedback as the analytics consumer stores it: the facts, and name and number apart."""
    event_id = str(uuid.uuid4())
    row = {"rating": 2, "complaint_type": "theft", "comments": "थाने में कोई नहीं था", **facts}
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO feedback (event_id, station_code, qr_version, submitted_at, rating,"
            " complaint_type, comments, staff_available, staff_helped, problem_resolved,"
            " language) VALUES (%s, %s, 1, %s, %s, %s, %s, true, false, false, 'hi')",
            (event_id, station["code"], datetime.now(UTC), row["rating"],
             row["complaint_type"], row["comments"]),
        )  # fmt: skip
        cur.execute(
            "INSERT INTO feedback_personal (event_id, submitted_at, name, mobile, mobile_hash)"
            " SELECT event_id, submitted_at, %s, %s, %s FROM feedback WHERE event_id = %s",
            ("Asha Devi", mobile, mobile_hash(key, mobile), event_id),
        )
    return event_id


def personal(database_url: str, event_id: str):
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT p.name, p.mobile, p.mobile_hash, p.purged_at, f.rating FROM feedback f"
            " JOIN feedback_personal p USING (event_id) WHERE event_id = %s",
            (event_id,),
        )
        return cur.fetchone()


def nonce_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def code_for(gateway: SmsGatewayStandIn, mobile: str) -> str:
    text = gateway.delivered_to(mobile)[-1].text
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    return found.group(1)


def test_a_visitor_sees_only_their_feedback_and_erases_their_name_and_number(
    rights_client, infra, intake_config, gateway
):
    url, key = infra["DATABASE_URL"], intake_config.mobile_hash_key
    station = create_station(url)
    mine_mobile, other_mobile = "+91" + unique_mobile(), "+91" + unique_mobile()
    mine = stored_feedback(url, station, mine_mobile, key, comments="मेरी शिकायत नहीं सुनी")
    other = stored_feedback(url, station, other_mobile, key, comments="someone else's words")

    start = rights_client.get("/rights")
    sent = rights_client.post(
        "/rights/code",
        data={"csrf_token": nonce_of(start.text), "mobile": mine_mobile, "language": "hi"},
    )
    (sms,) = gateway.delivered_to(mine_mobile)
    verified = rights_client.post("/rights/verify", data={
        "csrf_token": nonce_of(sent.text), "mobile": mine_mobile,
        "code": code_for(gateway, mine_mobile), "language": "hi"})  # fmt: skip
    listed = rights_client.get("/rights/mine")
    erased = rights_client.post("/rights/erase", data={"csrf_token": nonce_of(listed.text)})

    assert sent.status_code == 200 and sms.authorization == "Bearer it-key"
    assert sms.dlt_template_id == "1107000000000000009"
    assert verified.status_code == 303 and verified.headers["Location"].startswith("/rights/mine")
    assert "मेरी शिकायत नहीं सुनी" in listed.text and station["name_hi"] in listed.text
    assert "someone else's words" not in listed.text
    assert erased.status_code == 200 and "आपका नाम और नंबर 1 प्रतिक्रिया से" in erased.text
    name, mobile, hashed, purged_at, rating = personal(url, mine)
    assert (name, mobile, rating) == (None, None, 2) and purged_at is not None
    assert hashed == mobile_hash(key, mine_mobile)  # the abuse limits still need it
    assert personal(url, other)[:2] == ("Asha Devi", other_mobile)


def test_the_code_in_redis_is_a_hash_with_a_ten_minute_ttl(rights_client, infra, gateway,
                                                           intake_config):  # fmt: skip
    mobile = "+91" + unique_mobile()
    start = rights_client.get("/rights")
    rights_client.post("/rights/code", data={"csrf_token": nonce_of(start.text), "mobile": mobile})
    code = code_for(gateway, mobile)

    client = redis_client(infra["REDIS_URL"])
    name = f"rights:c:{mobile_hash(intake_config.mobile_hash_key, mobile)}"
    stored = client.hgetall(name)
    ttl = client.ttl(name)
    every_key = " ".join(client.scan_iter("rights:*"))

    assert set(stored) == {"digest", "expires_at", "tries"} and code not in stored["digest"]
    assert 0 < ttl <= 600
    assert mobile not in every_key and mobile[3:] not in every_key


def test_wrong_tries_are_counted_in_redis_and_kill_the_code(infra):
    codes = RedisCodes(redis_client(infra["REDIS_URL"]))
    key = uuid.uuid4().hex
    codes.put(key, StoredCode("d" * 64, 1e12), 600)
    tries = [codes.wrong_try(key) for _ in range(3)]
    found = codes.get(key)
    codes.drop(key)

    assert tries == [1, 2, 3] and found == StoredCode("d" * 64, 1e12, 3)
    assert codes.get(key) is None


def test_hourly_counters_count_per_key_and_expire_with_their_window(infra):
    client = redis_client(infra["REDIS_URL"])
    codes = RedisCodes(client)
    key, now = uuid.uuid4().hex, datetime.now(UTC)

    counts = [codes.count(key, now, 3600) for _ in range(3)]
    others = codes.count(uuid.uuid4().hex, now, 3600)
    bucket = int(now.timestamp()) // 3600

    assert counts == [1, 2, 3] and others == 1
    assert 0 < client.ttl(f"rights:n:{key}:{bucket}") <= 3600


def test_the_sms_gateway_refusing_is_a_503_page_not_an_error(rights_client, gateway):
    gateway.fail_next(1, status=500)
    start = rights_client.get("/rights")
    answer = rights_client.post(
        "/rights/code", data={"csrf_token": nonce_of(start.text), "mobile": "+91" + unique_mobile()}
    )

    assert answer.status_code == 503 and "अभी यह सेवा नहीं चल रही" in answer.text


def test_the_page_needs_no_read_of_a_name_or_number(infra, intake_config, stack_config):
    """The adapter works for a role that may read only the hash and purged_at of
    feedback_personal and update its name, mobile and purged_at: the grants intake needs."""
    url, key = infra["DATABASE_URL"], intake_config.mobile_hash_key
    role, password = f"rights_probe_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    station = create_station(url)
    mobile = "+91" + unique_mobile()
    event_id = stored_feedback(url, station, mobile, key)
    stack.psql_superuser(
        stack_config,
        f"CREATE ROLE {role} LOGIN PASSWORD '{password}';\n"
        f"GRANT CONNECT ON DATABASE {stack_config.postgres_db} TO {role};\n"
        f"GRANT USAGE ON SCHEMA public TO {role};\n"
        f"GRANT SELECT ON feedback, stations TO {role};\n"
        f"GRANT SELECT (event_id, mobile_hash, purged_at), UPDATE (name, mobile, purged_at)"
        f" ON feedback_personal TO {role};\n",
        database=stack_config.postgres_db,
    )
    parts = urlsplit(url)
    probe_url = parts._replace(netloc=f"{role}:{password}@{parts.hostname}:{parts.port}").geturl()
    try:
        records = PostgresRights(probe_url)
        before = records.given(mobile_hash(key, mobile))
        erased = records.erase(mobile_hash(key, mobile), datetime.now(UTC))
        after = records.given(mobile_hash(key, mobile))
        with (
            db.connection(probe_url) as conn,
            db.transaction(conn) as cur,
            pytest.raises(psycopg2.errors.InsufficientPrivilege),
        ):
            cur.execute("SELECT name FROM feedback_personal LIMIT 1")
    finally:
        stack.psql_superuser(
            stack_config,
            f"DROP OWNED BY {role};\nDROP ROLE {role};\n",
            database=stack_config.postgres_db,
        )

    assert [(f.event_id, f.identity_kept) for f in before] == [(event_id, True)]
    assert erased == 1 and [f.identity_kept for f in after] == [False]
    assert personal(url, event_id)[:2] == (None, None)
