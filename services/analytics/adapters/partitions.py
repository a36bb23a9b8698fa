"""The feedback table's months (migration 0012): the analytics consumer makes the coming
months' partitions ahead of the rows that will go there, through the owner's function
``feedback_month_partitions`` (the consumer's role may execute it, and owns no table).
A row whose month has no partition still lands, in ``feedback_default``; only dropping a
month (``ops/partitions.py``) needs the month to have a partition of its own."""

from __future__ import annotations

import logging
from datetime import date

from shared import db

logger = logging.getLogger(__name__)


class PostgresMonths:
    """Over a connection of its own that reconnects."""

    def __init__(self, database_url: str) -> None:
        self._connection = db.Reconnecting(
            lambda: db.connect(database_url, application_name="analytics-partitions")
        )

    def ensure_ahead(self, today: date, months: int) -> int:
        """This month's partition and the next ``months``'; how many were made now."""
        with self._connection.transaction() as cur:
            cur.execute("SELECT feedback_month_partitions(%s, %s)", (today, months + 1))
            (made,) = cur.fetchone() or (0,)
        if made:
            logger.info("feedback partitions made", extra={"count": made})
        return int(made)

    def close(self) -> None:
        self._connection.close()
