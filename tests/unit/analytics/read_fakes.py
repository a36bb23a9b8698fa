"""In-memory stand-ins for analytics' read ports (services.analytics.ports)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from services.analytics.domain import PUBLIC_WINDOWS, RankedStation, RankingPolicy, rank_stations
from shared.scores import WindowStats


class FakeReads:
    """A registry and feedback facts held in lists: ``add_station``, ``add_feedback``."""

    def __init__(self) -> None:
        self.registry: dict[str, dict[str, Any]] = {}
        self.zone_list: list[dict[str, str]] = [
            {"code": "East", "name_en": "East", "name_hi": "पूर्व"},
            {"code": "West", "name_en": "West", "name_hi": "पश्चिम"},
        ]
        self.feedback: list[dict[str, Any]] = []

    def add_station(self, code: str, zone: str = "East", active: bool = True) -> None:
        self.registry[code] = {"station_code": code, "name_en": f"Station {code}",
                               "name_hi": "थाना", "zone": zone, "active": active}  # fmt: skip

    def stations(self) -> dict[str, dict[str, Any]]:
        return {
            code: {k: v for k, v in s.items() if k != "active"}
            for code, s in sorted(self.registry.items())
            if s["active"]
        }

    def stations_version(self) -> str:
        return repr(sorted(self.registry.items()))  # moves with any change, made any way

    def station(self, code: str) -> dict[str, Any] | None:
        return self.registry.get(code)

    def zones(self) -> list[dict[str, str]]:
        return self.zone_list

    def trend(self, code: str, days: int, today: date) -> list[dict[str, Any]]:
        first = today - timedelta(days=days - 1)
        series = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            mine = [f for f in self.feedback if f["station_code"] == code and f["day"] == day]
            n = len(mine)
            series.append({
                "date": day.isoformat(), "count": n,
                "avg_rating": round(sum(f["rating"] for f in mine) / n, 3) if n else None,
                "low_rating_share": round(sum(f["rating"] <= 2 for f in mine) / n, 4) if n
                else None,
                "unresolved_share": round(sum(not f["problem_resolved"] for f in mine) / n, 4)
                if n else None,
            })  # fmt: skip
        return series

    def latest_comments(self, code: str, limit: int = 10) -> list[dict[str, Any]]:
        mine = [f for f in self.feedback if f["station_code"] == code and f.get("comments")]
        mine.sort(key=lambda f: f["submitted_at"], reverse=True)
        return [_comment(f) for f in mine[:limit]]

    def ready(self) -> bool:
        return True


_COMMENT_KEYS = ("event_id", "submitted_at", "rating", "complaint_type", "comments",
                 "officer_name", "problem_resolved")  # fmt: skip


def _comment(feedback: dict[str, Any]) -> dict[str, Any]:
    return {k: feedback.get(k) for k in _COMMENT_KEYS}


class FakeIdentities:
    """feedback_personal beside FakeReads' feedback: ``keep(event_id, name, mobile)``."""

    def __init__(self, reads: FakeReads) -> None:
        self.reads = reads
        self.personal: dict[UUID, dict[str, Any]] = {}

    def keep(self, event_id: UUID, name: str | None, mobile: str | None,
             purged_at: datetime | None = None) -> None:  # fmt: skip
        self.personal[event_id] = {"name": name, "mobile": mobile, "purged_at": purged_at}

    def feedback_at(self, event_id: UUID, station_code: str) -> dict[str, Any] | None:
        for feedback in self.reads.feedback:
            if feedback.get("event_id") == event_id and feedback["station_code"] == station_code:
                return _comment(feedback)
        return None

    def identity(self, event_id: UUID) -> dict[str, Any] | None:
        found = self.personal.get(event_id)
        return dict(found) if found is not None else None


class FakeScores:
    """The consumer's scores: windows per station, ranked as the real cache ranks them."""

    def __init__(self) -> None:
        self.windows: dict[str, dict[str, WindowStats]] = {}

    def put(self, code: str, window: str, stats: WindowStats) -> None:
        self.windows.setdefault(code, {w: WindowStats() for w in PUBLIC_WINDOWS})[window] = stats

    def read_station(self, code: str) -> dict[str, WindowStats] | None:
        return self.windows.get(code)

    def ranking(self, window: str, policy: RankingPolicy) -> list[RankedStation]:
        stats = {code: w[window] for code, w in self.windows.items() if w[window].count}
        return rank_stations(stats, policy)

    def version(self) -> str:
        return repr(sorted(self.windows.items()))

    def ping(self) -> bool:
        return True


class FakeInbox:
    """The station page's follow-up as a station with no alerts, actions or call backs has
    it (the inbox itself is tested on the real PostgreSQL)."""

    def alerts_of(self, station_code: str, limit: int = 10) -> list[dict[str, Any]]:
        return []

    def actions_of(self, *, event_id: Any = None, alert_id: Any = None) -> list[dict[str, Any]]:
        return []

    def recent_at(self, station_code: str, limit: int = 10) -> list[dict[str, Any]]:
        return []
