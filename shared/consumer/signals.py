"""The stop flag: SIGTERM and SIGINT set it; the loop finishes and commits the batch in hand,
then closes (house style 6). SIGUSR1 dumps every thread's stack to stderr."""

from __future__ import annotations

import faulthandler
import logging
import signal
import threading
from types import FrameType

logger = logging.getLogger(__name__)


def stop_on_signals(stopping: threading.Event) -> threading.Event:
    """Set ``stopping`` on SIGTERM or SIGINT (call from the main thread); returns it."""

    def stop(signum: int, frame: FrameType | None) -> None:
        logger.info("stop requested", extra={"signal": signum})
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # A worker that seems stuck shows where on SIGUSR1 (every thread's stack, to stderr).
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    return stopping
