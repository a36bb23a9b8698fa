"""Analytics' pure rules: hour buckets and sliding windows (``windows``), the fair ranking
(``ranking``). No I/O."""

from services.analytics.domain.ranking import RankedStation, RankingPolicy, rank_stations
from services.analytics.domain.windows import (
    ALL_WINDOWS,
    HOUR,
    PUBLIC_WINDOWS,
    STAT_FIELDS,
    add,
    bucket_events,
    event_stats,
    hour_of,
    hours_that_left,
    oldest_hour_needed,
    total,
    window_hours,
    windows_from_buckets,
)  # fmt: skip

__all__ = [
    "ALL_WINDOWS", "HOUR", "PUBLIC_WINDOWS", "STAT_FIELDS", "RankedStation", "RankingPolicy",
    "add", "bucket_events", "event_stats", "hour_of", "hours_that_left", "oldest_hour_needed",
    "rank_stations", "total", "window_hours", "windows_from_buckets",
]  # fmt: skip
