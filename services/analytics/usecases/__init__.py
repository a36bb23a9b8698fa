"""Analytics' use cases: a batch of feedback counted once and the scores kept (``batch``), and
what the read API and the Commissioner's pages show (``reads``)."""

from services.analytics.usecases.batch import (
    Deps,
    process_batch,
    rebuild,
    recompute,
    refresh_moved,
)
from services.analytics.usecases.reads import (
    ReadDeps,
    StationPage,
    UnknownStation,
    dashboard_data,
    ranking_items,
    station_page,
    station_scores,
    station_trend,
)

__all__ = [
    "Deps", "ReadDeps", "StationPage", "UnknownStation", "dashboard_data", "process_batch",
    "ranking_items", "rebuild", "recompute", "refresh_moved", "station_page", "station_scores",
    "station_trend",
]  # fmt: skip
