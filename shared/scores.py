"""A station's scores over sliding windows, and the ``station.scores`` event that carries
them from analytics to the notifier (and anyone else who listens).

The event carries raw counts, not only shares, so a consumer can judge a share against its
sample size (the notifier's spike test needs both).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from shared.events import InvalidEvent

SCORES_TOPIC = "station.scores"
# Window name -> length in hours. "baseline_30d" is the 30 days *before* the last 24 hours:
# what is usual for the station, without the recent days being judged against it.
WINDOWS: dict[str, int] = {"1h": 1, "24h": 24, "7d": 7 * 24, "30d": 30 * 24}
BASELINE = "baseline_30d"


@dataclass(frozen=True)
class WindowStats:
    """Sums over one window of a station's feedback."""

    count: int = 0
    rating_sum: int = 0
    low_ratings: int = 0  # 1 or 2 stars
    unresolved: int = 0  # "was your problem solved?" answered no
    staff_available: int = 0
    staff_helped: int = 0
    cleanliness_sum: int = 0
    cleanliness_count: int = 0

    def _share(self, part: int) -> float | None:
        return round(part / self.count, 4) if self.count else None

    def summary(self) -> dict[str, Any]:
        """The public view (``GET /api/v1/stations/<code>/scores``); None where no data."""
        return {
            "count": self.count,
            "avg_rating": round(self.rating_sum / self.count, 3) if self.count else None,
            "low_rating_share": self._share(self.low_ratings),
            "resolved_share": self._share(self.count - self.unresolved),
            "staff_available_share": self._share(self.staff_available),
            "staff_helped_share": self._share(self.staff_helped),
            "avg_cleanliness": (
                round(self.cleanliness_sum / self.cleanliness_count, 3)
                if self.cleanliness_count
                else None
            ),
        }


@dataclass(frozen=True)
class StationScoresUpdated:
    """A station's windows as recomputed at ``computed_at``. Later events supersede earlier
    ones for the same station (the topic is keyed by station code)."""

    SCHEMA_VERSION: ClassVar[int] = 1

    station_code: str
    computed_at: datetime
    windows: dict[str, WindowStats]
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)
    schema_version: int = 1

    @property
    def key(self) -> bytes:
        return self.station_code.encode()

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "schema_version": self.schema_version,
                "event_id": str(self.event_id),
                "station_code": self.station_code,
                "computed_at": self.computed_at.astimezone(UTC).isoformat(),
                "windows": {name: asdict(stats) for name, stats in self.windows.items()},
            }
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> StationScoresUpdated:
        try:
            data = json.loads(raw)
            if data.get("schema_version") != cls.SCHEMA_VERSION:
                raise InvalidEvent(f"unknown schema_version {data.get('schema_version')!r}")
            computed_at = datetime.fromisoformat(data["computed_at"])
            if computed_at.tzinfo is None:
                raise InvalidEvent("computed_at has no time zone")
            return cls(
                station_code=str(data["station_code"]),
                computed_at=computed_at,
                windows={
                    str(name): WindowStats(**{k: int(v) for k, v in stats.items()})
                    for name, stats in data["windows"].items()
                },
                event_id=uuid.UUID(data["event_id"]),
            )
        except InvalidEvent:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise InvalidEvent(f"not a station scores event: {exc}") from None
