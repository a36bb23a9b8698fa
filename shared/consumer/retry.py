"""The one retry policy for transient faults: exponential backoff up to a bounded pause, for
as long as it takes, until the worker is asked to stop (the stop flag cuts the wait short).
Then ``Stopped`` is raised, so nothing past the failure is committed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tenacity import Retrying, retry_if_exception_type, wait_exponential

logger = logging.getLogger(__name__)
T = TypeVar("T")


class Stopped(Exception):
    """Asked to stop while a transient failure was being retried: nothing was committed."""


@dataclass(frozen=True)
class RetryPolicy:
    """``transient``: the exceptions worth waiting out; anything else goes on at once."""

    transient: tuple[type[BaseException], ...]
    stopping: threading.Event = field(default_factory=threading.Event)
    max_pause_s: float = 30.0
    first_pause_s: float = 0.1

    def __call__(self, what: str, action: Callable[[], T]) -> T:
        """``action()`` until it succeeds; raises Stopped if asked to stop meanwhile."""

        def log_retry(state: Any) -> None:
            error = state.outcome.exception() if state.outcome else None
            logger.warning(
                "transient failure, retrying",
                extra={"step": what, "attempt": state.attempt_number, "error": repr(error)},
            )

        def pause(seconds: float) -> None:
            self.stopping.wait(seconds)

        try:
            for attempt in Retrying(
                retry=retry_if_exception_type(self.transient),
                wait=wait_exponential(multiplier=self.first_pause_s, max=self.max_pause_s),
                stop=lambda state: self.stopping.is_set(),
                before_sleep=log_retry,
                sleep=pause,
                reraise=True,
            ):
                with attempt:
                    return action()
        except self.transient as failure:
            raise Stopped(what) from failure
        raise Stopped(what)  # pragma: no cover - Retrying returns or raises
