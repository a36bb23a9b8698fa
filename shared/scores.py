"""A station's scores over sliding windows: the sums one window holds, and the windows.

The ``StationScoresUpdated`` event (``shared.events.scores``) carries these raw sums, not only
shares, so a consumer can judge a share against its sample size (a spike test needs both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
