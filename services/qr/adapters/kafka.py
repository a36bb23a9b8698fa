"""Publishing station records to the compacted ``stations`` topic, acknowledged or not at all.

The publisher itself is in ``services/qr/publisher.py`` while the station event changes
there (issue 9, the event contract); it moves here once that change is in.
"""

from services.qr.publisher import PublishFailed, StationsPublisher

__all__ = ["PublishFailed", "StationsPublisher"]
