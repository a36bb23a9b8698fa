"""Publishing accepted feedback to Kafka, durably or not at all."""

from __future__ import annotations

from services.intake.ports import PublishFailed
from shared.acked_sender import AckedSender, SendFailed
from shared.events import FeedbackSubmitted
from shared.topics import FEEDBACK_TOPIC


class FeedbackPublisher:
    """Sends FeedbackSubmitted events keyed by station code and waits for the acknowledgement
    of every in-sync replica. PublishFailed: not acknowledged; it may be retried with the
    same event id."""

    def __init__(self, bootstrap_servers: str, timeout_s: float, client_id: str = "intake"):
        self._sender = AckedSender(bootstrap_servers, timeout_s, client_id)

    def publish(self, event: FeedbackSubmitted) -> None:
        try:
            self._sender.send_all(FEEDBACK_TOPIC, [(event.key, event.to_json())])
        except SendFailed as exc:
            raise PublishFailed(str(exc)) from exc

    def ready(self) -> bool:
        return self._sender.ready(FEEDBACK_TOPIC)

    def close(self) -> None:
        self._sender.close()
