"""Officer and comment keys (``shared.textkeys``) for feedback stored without them, or under
an older version of the rules: one short transaction per batch, so the consumer's own
batches never wait long. ``SKIP LOCKED`` lets two workers share the backlog."""

from __future__ import annotations

import psycopg2.extras

from services.analytics.ports import TextKeyStore
from shared import db
from shared.textkeys import KEY_VERSION, officer_key, search_key

_STALE = """
SELECT event_id, officer_name, comments FROM feedback
WHERE text_key_version IS NULL OR text_key_version < %s
LIMIT %s
FOR UPDATE SKIP LOCKED
"""
_SET = f"""
UPDATE feedback AS f SET officer_key = k.officer_key, comment_key = k.comment_key,
    text_key_version = {KEY_VERSION}
FROM (VALUES %s) AS k (event_id, officer_key, comment_key)
WHERE f.event_id = k.event_id::uuid
"""  # noqa: S608 - a constant


class PostgresTextKeys:
    """Over a connection of its own that reconnects."""

    def __init__(self, database_url: str) -> None:
        self._connection = db.Reconnecting(
            lambda: db.connect(database_url, application_name="analytics-text-keys")
        )

    def rekey_batch(self, limit: int) -> int:
        """Keys for up to ``limit`` stale rows; how many were done (0: none is left)."""
        with self._connection.transaction() as cur:
            cur.execute(_STALE, (KEY_VERSION, limit))
            rows = [
                (str(event_id), officer_key(officer or ""), search_key(comments or ""))
                for event_id, officer, comments in cur.fetchall()
            ]
            if rows:
                psycopg2.extras.execute_values(cur, _SET, rows, page_size=len(rows))
            return len(rows)

    def close(self) -> None:
        self._connection.close()


def rekey_feedback(store: TextKeyStore, batch_rows: int, max_batches: int) -> int:
    """Up to ``max_batches`` batches; how many rows got their keys."""
    done = 0
    for _ in range(max_batches):
        n = store.rekey_batch(batch_rows)
        done += n
        if n < batch_rows:
            break
    return done
