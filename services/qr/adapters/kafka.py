"""Publishing station records to the compacted ``stations`` topic, acknowledged or not at all."""

from __future__ import annotations

from shared.acked_sender import AckedSender
from shared.acked_sender import SendFailed as PublishFailed
from shared.events import StationChanged
from shared.topics import STATIONS_TOPIC

__all__ = ["PublishFailed", "StationsPublisher"]


class StationsPublisher:
    """Sends StationChanged records keyed by station code and waits for every in-sync
    replica's acknowledgement (PublishFailed otherwise)."""

    def __init__(self, bootstrap_servers: str, timeout_s: float, client_id: str = "qr") -> None:
        self._sender = AckedSender(bootstrap_servers, timeout_s, client_id)

    def publish(self, *records: StationChanged) -> None:
        """Returns once Kafka has every record; PublishFailed otherwise."""
        self._sender.send_all(STATIONS_TOPIC, [(r.key, r.to_json()) for r in records])

    def ready(self) -> bool:
        return self._sender.ready(STATIONS_TOPIC)

    def close(self) -> None:
        self._sender.close()
