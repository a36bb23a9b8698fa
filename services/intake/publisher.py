"""Publishing accepted feedback to Kafka, durably or not at all."""

from __future__ import annotations

from shared.acked_sender import AckedSender
from shared.acked_sender import SendFailed as PublishFailed
from shared.events import FeedbackSubmitted
from shared.topics import FEEDBACK_TOPIC

__all__ = ["FeedbackPublisher", "PublishFailed"]


class FeedbackPublisher:
    """Sends FeedbackSubmitted events keyed by station code and waits for the acknowledgement
    of every in-sync replica. PublishFailed: not acknowledged; it may be retried with the
    same event id."""

    def __init__(self, bootstrap_servers: str, timeout_s: float, client_id: str = "intake"):
        self._sender = AckedSender(bootstrap_servers, timeout_s, client_id)

    def publish(self, event: FeedbackSubmitted) -> None:
        self._sender.send_all(FEEDBACK_TOPIC, [(event.key, event.to_json())])

    def ready(self) -> bool:
        return self._sender.ready(FEEDBACK_TOPIC)

    def close(self) -> None:
        self._sender.close()
