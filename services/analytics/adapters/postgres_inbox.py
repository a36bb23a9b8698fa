"""The inbox over PostgreSQL: keyset pages of feedback facts (never a name or a number),
one feedback with its actions and call backs, the alerts of a station and the actions
recorded on them. Over the read side's pool (``PostgresReads``); a database that cannot be
reached leaves as ``ports.ReadsUnavailable``.

Pages are ordered by (submitted_at, event_id), newest first, and a page starts strictly
after the cursor: the indexes of migration 0009 answer it without OFFSET, at any depth.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from services.analytics.adapters.postgres_reads import PostgresReads
from services.analytics.domain.inbox import InboxFilter
from shared.india import INDIA
from shared.textkeys import officer_key, query_key

# The facts of a feedback police may read: every answer of the form but the name and the
# mobile number, and where it was given.
FACTS = ("event_id", "station_code", "zone", "submitted_at", "rating", "complaint_date",
         "complaint_type", "officer_name", "comments", "cleanliness", "staff_available",
         "staff_helped", "problem_resolved", "language")  # fmt: skip
_FACT_COLUMNS = ", ".join("s.zone" if c == "zone" else f"f.{c}" for c in FACTS)
_LIST_EXTRA = ("actions", "callback_outcome")
# Per row of a page: how many actions, and the latest call back's outcome (two index
# lookups each, on 50 rows).
_LIST_COLUMNS = (
    f"{_FACT_COLUMNS},"  # noqa: S608 - constants
    " (SELECT count(*) FROM station_actions a WHERE a.event_id = f.event_id),"
    " (SELECT c.outcome FROM feedback_callbacks c WHERE c.event_id = f.event_id"
    "  ORDER BY c.id DESC LIMIT 1)"
)


def _like(text: str) -> str:
    """``text`` as a case-insensitive substring pattern, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def comment_query(text: str) -> str:
    """A search's words as a text-search query over the comments' keys
    (``shared.textkeys``): every word's key must be there. Keys are Latin letters and digits
    only, so nothing in them is an operator. Whole keys, not prefixes: the planner then
    knows a rare word from its statistics and looks it up in the index, where a prefix
    would have it walk every row newest first."""
    words = [w for w in query_key(text).split() if w.isascii() and w.isalnum()]
    return " & ".join(words)


# A feedback names the officer asked for when its name's key holds every word key of the
# asked name ("रमेश" finds "SI Ramesh Kumar"), or when the admin merged its key into an
# officer whose key does (officer_aliases, per station). A row whose keys are not yet
# computed (text_key_version NULL) is found by its name as typed.
_OFFICER_SQL = (
    "(string_to_array(f.officer_key, ' ') @> %s::text[]"
    " OR EXISTS (SELECT 1 FROM officer_aliases a WHERE a.station_code = f.station_code"
    "  AND a.name_key = f.officer_key AND string_to_array(a.officer_key, ' ') @> %s::text[])"
    " OR (f.officer_key IS NULL AND f.officer_name ILIKE %s))"
)


def officer_condition(asked: str) -> tuple[str, list[Any]]:
    """The condition and parameters for the filter "officer named ``asked``". A name of
    only ranks ("SI") has no key words; it is then matched as typed."""
    words = officer_key(asked).split()
    if not words:
        return "f.officer_name ILIKE %s", [_like(asked)]
    return _OFFICER_SQL, [words, words, _like(asked)]


def where_clause(chosen: InboxFilter) -> tuple[str, list[Any]]:
    """The SQL condition (over ``feedback f JOIN stations s``) and its parameters."""
    parts: list[str] = []
    params: list[Any] = []

    def add(sql: str, *values: Any) -> None:
        parts.append(sql)
        params.extend(values)

    if chosen.station:
        add("f.station_code = %s", chosen.station)
    if chosen.zone:
        add("s.zone = %s", chosen.zone)
    if chosen.since:
        add(f"f.submitted_at >= (%s::date)::timestamp AT TIME ZONE '{INDIA}'", chosen.since)
    if chosen.until:
        add(f"f.submitted_at < (%s::date + 1)::timestamp AT TIME ZONE '{INDIA}'", chosen.until)
    if chosen.stars:
        add("f.rating = ANY(%s)", sorted(chosen.stars))
    if chosen.resolved is not None:
        add("f.problem_resolved = %s", chosen.resolved)
    if chosen.helped is not None:
        add("f.staff_helped = %s", chosen.helped)
    if chosen.complaint_type:
        add("f.complaint_type = %s", chosen.complaint_type)
    if chosen.officer:
        sql, values = officer_condition(chosen.officer)
        add(sql, *values)
    if chosen.language:
        add("f.language = %s", chosen.language)
    if chosen.text:
        # The expression of migration 0008's index, so that the index answers it.
        add("to_tsvector('simple', coalesce(f.comment_key, '')) @@ to_tsquery('simple', %s)",
            comment_query(chosen.text))  # fmt: skip
    if chosen.after:
        add("(f.submitted_at, f.event_id) < (%s, %s)",
            chosen.after.submitted_at, str(chosen.after.event_id))  # fmt: skip
    return (" AND ".join(parts) or "true"), params


def page_sql(chosen: InboxFilter, limit: int) -> tuple[str, list[Any]]:
    where, params = where_clause(chosen)
    sql = (
        f"SELECT {_LIST_COLUMNS} FROM feedback f JOIN stations s ON s.code = f.station_code"  # noqa: S608 - built of constants
        f" WHERE {where} ORDER BY f.submitted_at DESC, f.event_id DESC LIMIT %s"
    )
    return sql, [*params, limit]


class PostgresInbox:
    def __init__(self, reads: PostgresReads) -> None:
        self.reads = reads

    def page(self, chosen: InboxFilter, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` feedback matching ``chosen``, newest first, each with its facts,
        ``actions`` (how many) and ``callback_outcome`` (the latest, or None)."""
        sql, params = page_sql(chosen, limit)
        with self.reads.cursor() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall()
        return [_row(row, (*FACTS, *_LIST_EXTRA)) for row in rows]

    def item(self, event_id: UUID) -> dict[str, Any] | None:
        """One feedback's facts, or None when there is no such feedback."""
        with self.reads.cursor() as cur:
            cur.execute(
                f"SELECT {_FACT_COLUMNS} FROM feedback f"  # noqa: S608 - constant columns
                " JOIN stations s ON s.code = f.station_code WHERE f.event_id = %s",
                (str(event_id),),
            )
            row = cur.fetchone()
        return _row(row, FACTS) if row is not None else None

    def actions_of(self, *, event_id: UUID | None = None,
                   alert_id: UUID | None = None) -> list[dict[str, Any]]:  # fmt: skip
        """The actions recorded on one feedback or one alert, oldest first."""
        column, value = ("event_id", event_id) if event_id else ("alert_id", alert_id)
        with self.reads.cursor() as cur:
            cur.execute(
                f"SELECT {_ACTION_COLUMNS} FROM station_actions"  # noqa: S608 - constants
                f" WHERE {column} = %s ORDER BY id",
                (str(value),),
            )
            return [_row(row, _ACTION_KEYS) for row in cur.fetchall()]

    def callbacks_of(self, event_id: UUID) -> list[dict[str, Any]]:
        with self.reads.cursor() as cur:
            cur.execute(
                f"SELECT {_CALLBACK_COLUMNS} FROM feedback_callbacks"  # noqa: S608 - constants
                " WHERE event_id = %s ORDER BY id",
                (str(event_id),),
            )
            return [_row(row, _CALLBACK_KEYS) for row in cur.fetchall()]

    def add_action(
        self, station_code: str, text: str, taken_on: date, by: str, *,
        event_id: UUID | None = None, alert_id: UUID | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Store an action on a feedback or an alert of ``station_code``; the stored row."""
        with self.reads.cursor() as cur:
            cur.execute(
                "INSERT INTO station_actions (station_code, event_id, alert_id, action_text,"  # noqa: S608
                " taken_on, recorded_by) VALUES (%s, %s, %s, %s, %s, %s)"
                f" RETURNING {_ACTION_COLUMNS}",
                (station_code, str(event_id) if event_id else None,
                 str(alert_id) if alert_id else None, text, taken_on, by),
            )  # fmt: skip
            return _row(cur.fetchone(), _ACTION_KEYS)

    def add_callback(
        self, event_id: UUID, station_code: str, outcome: str, note: str, by: str
    ) -> dict[str, Any]:
        with self.reads.cursor() as cur:
            cur.execute(
                "INSERT INTO feedback_callbacks (event_id, station_code, outcome, note,"  # noqa: S608
                f" called_by) VALUES (%s, %s, %s, %s, %s) RETURNING {_CALLBACK_COLUMNS}",
                (str(event_id), station_code, outcome, note, by),
            )
            return _row(cur.fetchone(), _CALLBACK_KEYS)

    def alert(self, alert_id: UUID) -> dict[str, Any] | None:
        with self.reads.cursor() as cur:
            cur.execute(
                f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE id = %s",  # noqa: S608 - constants
                (str(alert_id),),
            )
            row = cur.fetchone()
        return _row(row, _ALERT_KEYS) if row is not None else None

    def alerts_of(self, station_code: str, limit: int = 10) -> list[dict[str, Any]]:
        """The station's latest alerts (open ones first), newest first."""
        with self.reads.cursor() as cur:
            cur.execute(
                f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE station_code = %s"  # noqa: S608
                " ORDER BY status = 'resolved', raised_at DESC LIMIT %s",
                (station_code, limit),
            )
            return [_row(row, _ALERT_KEYS) for row in cur.fetchall()]

    def recent_at(self, station_code: str, limit: int = 10) -> list[dict[str, Any]]:
        """The station's latest actions and call backs together, newest first: ``kind``
        ("action" or "callback"), ``at``, ``by``, ``text``, ``outcome``, ``taken_on``,
        ``event_id``, ``alert_id``."""
        with self.reads.cursor() as cur:
            cur.execute(
                "(SELECT 'action', recorded_at, recorded_by, action_text, NULL, taken_on,"
                "  event_id, alert_id FROM station_actions WHERE station_code = %s"
                "  ORDER BY recorded_at DESC LIMIT %s)"
                " UNION ALL"
                " (SELECT 'callback', called_at, called_by, note, outcome, NULL, event_id, NULL"
                "  FROM feedback_callbacks WHERE station_code = %s"
                "  ORDER BY called_at DESC LIMIT %s)"
                " ORDER BY 2 DESC LIMIT %s",
                (station_code, limit, station_code, limit, limit),
            )
            keys = ("kind", "at", "by", "text", "outcome", "taken_on", "event_id", "alert_id")
            return [_row(row, keys) for row in cur.fetchall()]


_ACTION_KEYS = ("id", "station_code", "event_id", "alert_id", "action_text", "taken_on",
                "recorded_by", "recorded_at")  # fmt: skip
_ACTION_COLUMNS = ", ".join(_ACTION_KEYS)
_CALLBACK_KEYS = ("id", "event_id", "station_code", "outcome", "note", "called_by", "called_at")
_CALLBACK_COLUMNS = ", ".join(_CALLBACK_KEYS)
_ALERT_KEYS = ("id", "station_code", "rule", "status", "level", "raised_at")
_ALERT_COLUMNS = ", ".join(_ALERT_KEYS)


def _row(row: tuple[Any, ...], keys: tuple[str, ...]) -> dict[str, Any]:
    found = dict(zip(keys, row, strict=True))
    uuids = ("event_id", "alert_id", "id") if keys is _ALERT_KEYS else ("event_id", "alert_id")
    for name in uuids:
        if found.get(name) is not None:
            found[name] = UUID(str(found[name]))
    return found
