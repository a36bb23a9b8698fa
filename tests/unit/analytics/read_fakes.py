"""In-memory stand-ins for analytics' read ports (services.analytics.ports)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

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
        keys = ("submitted_at", "rating", "complaint_type", "comments", "problem_resolved")
        return [{k: f[k] for k in keys} for f in mine[:limit]]

    def ready(self) -> bool:
        return True


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

    def ping(self) -> bool:
        return True
