"""A fake of ``shared.stations_reader.StationsFeed`` for readers' unit tests: the records a
reader has read, and those on the topic it has not read yet (``sync`` reads them)."""

from __future__ import annotations

from dataclasses import fields

from shared.events import Station, StationChanged


def record(station: Station, change: str = "updated") -> StationChanged:
    values = {f.name: getattr(station, f.name) for f in fields(Station) if f.name != "updated_at"}
    return StationChanged(change=change, **values)


class FakeFeed:
    def __init__(self, *stations: Station, clock=None) -> None:
        self.records = {s.code: record(s, "announced") for s in stations}
        self.unread: list[StationChanged] = []
        self.started = False
        self.caught_up = False
        self.reachable = True
        self.syncs = 0
        self.current_at = float("-inf")
        self._clock = clock

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.started = False

    def wait_caught_up(self, timeout_s: float) -> bool:
        return self.caught_up

    def get(self, code: str) -> StationChanged | None:
        return self.records.get(code)

    def publish(self, station: Station, change: str = "updated") -> None:
        """A record on the topic that the reader thread has not read yet."""
        self.unread.append(record(station, change))

    def read(self) -> None:
        """The reader thread takes what is on the topic (the higher revision wins)."""
        for new in self.unread:
            held = self.records.get(new.code)
            if held is None or new.revision > held.revision:
                self.records[new.code] = new
        self.unread.clear()
        if self._clock is not None:
            self.current_at = self._clock()

    def sync(self, timeout_s: float) -> bool:
        self.syncs += 1
        if not (self.reachable and self.caught_up):
            return False
        self.read()
        return True
