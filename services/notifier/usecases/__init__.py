"""The notifier's use cases: judge a station's scores, run the timer (``alerts``), send what
is due (``deliveries``)."""

from services.notifier.usecases.alerts import (
    Deps,
    Outcome,
    acknowledge,
    evaluate_station,
    handle_records,
    handle_scores,
    tick,
)
from services.notifier.usecases.deliveries import deliver_due

__all__ = [
    "Deps", "Outcome", "acknowledge", "deliver_due", "evaluate_station", "handle_records",
    "handle_scores", "tick",
]  # fmt: skip
