"""Feedback and alerts written straight into the real PostgreSQL, as the analytics
consumer and the notifier would have stored them, for the inbox's tests (the consumer's
own path is tested elsewhere; here the read side is under test)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from shared import db
from shared.textkeys import KEY_VERSION, officer_key, search_key

VISITOR_NAME = "Sunita Devi"


def put_feedback(database_url: str, station_code: str, **fields: Any) -> uuid.UUID:
    """One feedback at ``station_code`` (defaults below, ``fields`` over them), with a
    visitor's name and mobile kept apart as the consumer keeps them; its event id."""
    event_id = fields.pop("event_id", uuid.uuid4())
    name = fields.pop("name", VISITOR_NAME)
    mobile = fields.pop("mobile", "+919876500001")
    row = {
        "event_id": str(event_id), "station_code": station_code, "qr_version": 1,
        "submitted_at": datetime.now(UTC) - timedelta(hours=1), "rating": 3,
        "complaint_date": None, "complaint_type": "theft", "officer_name": None,
        "comments": "ठीक है", "cleanliness": 3, "staff_available": True,
        "staff_helped": True, "problem_resolved": True, "language": "hi", **fields,
    }  # fmt: skip
    # The keys the consumer stores beside each feedback (migration 0008).
    row["officer_key"] = officer_key(row["officer_name"] or "")
    row["comment_key"] = search_key(row["comments"] or "")
    row["text_key_version"] = KEY_VERSION
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            f"INSERT INTO feedback ({', '.join(row)}) VALUES ({', '.join(['%s'] * len(row))})",  # noqa: S608
            list(row.values()),
        )
        cur.execute(
            "INSERT INTO feedback_personal (event_id, submitted_at, name, mobile, mobile_hash)"
            " VALUES (%s, %s, %s, %s, %s)",
            (str(event_id), row["submitted_at"], name, mobile, uuid.uuid4().hex),
        )
    return event_id


def put_alert(database_url: str, station_code: str, rule: str = "low_rating") -> uuid.UUID:
    """An open alert at ``station_code``, raised a day ago, as the notifier stores one; or the
    one already open for that rule (a station has one open alert per rule, and where a notifier
    worker runs, as in the e2e tests, it may have raised it from the same feedback)."""
    raised = datetime.now(UTC) - timedelta(days=1)
    part = json.dumps({"part": 0.5, "count": 10, "share": 0.5})
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            'INSERT INTO alerts (id, station_code, rule, "window", observed, baseline,'
            " notified_parts, raised_at, level_since, last_notified_at)"
            " VALUES (%s, %s, %s, '24h', %s, %s, '{}', %s, %s, %s) ON CONFLICT DO NOTHING",
            (str(uuid.uuid4()), station_code, rule, part, part, raised, raised, raised),
        )
        cur.execute(
            "SELECT id FROM alerts WHERE station_code = %s AND rule = %s AND status <> 'resolved'",
            (station_code, rule),
        )
        return uuid.UUID(str(cur.fetchone()[0]))


def audit_lines(database_url: str, target: str) -> list[tuple[str, str, str]]:
    """(action, actor_name, details as text) of the audit log's lines about ``target``."""
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT action, actor_name, details::text FROM audit_log WHERE target = %s ORDER BY id",
            (target,),
        )
        return list(cur.fetchall())


def put_many(database_url: str, station_code: str, count: int, comments: str) -> list[uuid.UUID]:
    """``count`` feedback at ``station_code`` a minute apart, newest first, in one
    statement; their event ids, newest first."""
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO feedback (event_id, station_code, qr_version, submitted_at, rating,"
            " complaint_type, comments, staff_available, staff_helped, problem_resolved,"
            " language, officer_key, comment_key, text_key_version)"
            " SELECT gen_random_uuid(), %s, 1, now() - n * interval '1 minute', 3, 'theft',"
            " %s, true, true, true, 'hi', '', %s, %s FROM generate_series(1, %s) AS n"
            " RETURNING event_id, submitted_at",
            (station_code, comments, search_key(comments), KEY_VERSION, count),
        )
        rows = sorted(cur.fetchall(), key=lambda r: r[1], reverse=True)
    return [uuid.UUID(str(r[0])) for r in rows]
