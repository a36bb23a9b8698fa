"""The inbox's rules, pure: its filters read from a query string, the keyset cursor that
pages it, and what an action or a call back must hold to be recorded.

Bad input is ``InvalidInput`` with a message in Hindi and English naming the field; the
entrypoints answer it with 400 (a filter) or 422 (a form or a body).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from shared.complaint_types import COMPLAINT_TYPES
from shared.textkeys import query_key

PAGE_SIZE, PAGE_MAX = 50, 200
TEXT_MAX = 100  # a search's words or an officer's name, as typed in a filter
ACTION_MIN, ACTION_MAX = 5, 1000
NOTE_MAX = 1000
LANGUAGES = {"hi": ("हिंदी", "Hindi"), "en": ("अंग्रेज़ी", "English")}
# How a call back went: (Hindi, English). The codes are stored (migration 0009's CHECK).
OUTCOMES: dict[str, tuple[str, str]] = {
    "satisfied": ("संतुष्ट", "reached, satisfied"),
    "not_satisfied": ("असंतुष्ट", "reached, not satisfied"),
    "no_answer": ("फ़ोन नहीं उठा", "no answer"),
    "wrong_number": ("गलत नंबर", "wrong number"),
    "declined": ("बात नहीं करना चाहते", "did not want to talk"),
}
_YES = {"yes": True, "no": False}
_CURSOR = re.compile(r"(-?[0-9]{1,18})_([0-9a-f]{32})")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class InvalidInput(ValueError):
    """A filter, a cursor, an action or a call back that cannot be used; the message says
    why (Hindi · English). ``field`` names the input."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last item's time and id (the inbox is newest first)."""

    submitted_at: datetime
    event_id: UUID

    def token(self) -> str:
        """``<microseconds since 1970>_<id in hex>``: opaque to clients, safe in a URL."""
        micros = (self.submitted_at - _EPOCH) // timedelta(microseconds=1)
        return f"{micros}_{self.event_id.hex}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        found = _CURSOR.fullmatch(text)
        if not found:
            raise InvalidInput("after", "after must be the next_after of the previous page")
        at = _EPOCH + timedelta(microseconds=int(found[1]))
        return cls(at, UUID(found[2]))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox shows: every field None (or empty) means no filter on it. Days are
    India's, both ends included."""

    zone: str | None = None
    station: str | None = None
    since: date | None = None
    until: date | None = None
    stars: frozenset[int] = field(default_factory=frozenset)
    resolved: bool | None = None
    helped: bool | None = None
    complaint_type: str | None = None
    officer: str | None = None
    language: str | None = None
    text: str | None = None
    after: Cursor | None = None
    limit: int = PAGE_SIZE

    def query_args(self) -> dict[str, str]:
        """The filters as query arguments (not the cursor): for links and the CSV."""
        args: dict[str, str] = {}
        for name in ("zone", "station", "complaint_type", "officer", "language", "text"):
            value = getattr(self, name)
            if value:
                args["type" if name == "complaint_type" else name] = value
        if self.since:
            args["since"] = self.since.isoformat()
        if self.until:
            args["until"] = self.until.isoformat()
        if self.stars:
            args["stars"] = ",".join(str(s) for s in sorted(self.stars))
        for name in ("resolved", "helped"):
            value = getattr(self, name)
            if value is not None:
                args[name] = "yes" if value else "no"
        if self.limit != PAGE_SIZE:
            args["limit"] = str(self.limit)
        return args

    def scoped(self, *, station: str | None, zone: str | None) -> InboxFilter:
        return replace(self, station=station, zone=zone)


Getter = Callable[[str], str | None]


def parse_filter(args: Mapping[str, str], today: date) -> InboxFilter:
    """The inbox's filter from query arguments (see ``InboxFilter.query_args``); empty
    values are no filter. InvalidInput names the first argument that is wrong."""

    def text(name: str, limit: int = TEXT_MAX) -> str | None:
        value = " ".join((args.get(name) or "").split())
        if len(value) > limit:
            raise InvalidInput(name, f"{name}: अधिकतम {limit} अक्षर · at most {limit} characters")
        if any(not c.isprintable() for c in value):
            raise InvalidInput(name, f"{name}: केवल अक्षर · printable characters only")
        return value or None

    since, until = _day(args, "since", today), _day(args, "until", today)
    if since and until and since > until:
        raise InvalidInput("since", "since must not be after until · शुरुआत अंत के बाद नहीं")
    complaint_type = text("type")
    if complaint_type and complaint_type not in COMPLAINT_TYPES:
        raise InvalidInput("type", f"type must be one of {', '.join(COMPLAINT_TYPES)}")
    language = text("language")
    if language and language not in LANGUAGES:
        raise InvalidInput("language", "language must be hi or en")
    search = text("text")
    if search and not query_key(search):
        raise InvalidInput("text", "text: खोजने के लिए शब्द लिखें · search for words or numbers")
    station = text("station", 32)
    after = text("after", 60)
    return InboxFilter(
        zone=text("zone", 32), station=station.upper() if station else None,
        since=since, until=until, stars=_stars(args.get("stars") or ""),
        resolved=_yes_no(args, "resolved"), helped=_yes_no(args, "helped"),
        complaint_type=complaint_type, officer=text("officer"), language=language,
        text=search, after=Cursor.parse(after) if after else None,
        limit=_limit(args.get("limit") or ""),
    )  # fmt: skip


def _day(args: Mapping[str, str], name: str, today: date) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(name, f"{name} must be a date, YYYY-MM-DD") from None
    if day > today:
        raise InvalidInput(name, f"{name} must not be in the future · भविष्य की तारीख नहीं")
    return day


def _stars(raw: str) -> frozenset[int]:
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if any(p not in ("1", "2", "3", "4", "5") for p in parts):
        raise InvalidInput("stars", "stars must be numbers from 1 to 5, such as 1,2")
    return frozenset(int(p) for p in parts)


def _yes_no(args: Mapping[str, str], name: str) -> bool | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if raw not in _YES:
        raise InvalidInput(name, f"{name} must be yes or no")
    return _YES[raw]


def _limit(raw: str) -> int:
    raw = raw.strip()
    if not raw:
        return PAGE_SIZE
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= PAGE_MAX:
        raise InvalidInput("limit", f"limit must be a whole number from 1 to {PAGE_MAX}")
    return int(raw)


def plain_words(typed: str) -> str:
    """What was typed, without control characters, runs of spaces made one."""
    return " ".join("".join(c for c in typed if c.isprintable() or c.isspace()).split())


def check_action(text: str, taken_on: str, earliest: date, today: date) -> tuple[str, date]:
    """An SHO's action as it will be stored: its words (5 to 1,000 characters) and the day
    it was taken (YYYY-MM-DD, from ``earliest``, the day of the feedback or alert, to
    ``today``)."""
    words = plain_words(text)
    if len(words) < ACTION_MIN:
        raise InvalidInput(
            "text", f"कार्रवाई कम से कम {ACTION_MIN} अक्षर · describe the action in at least "
            f"{ACTION_MIN} characters",
        )  # fmt: skip
    if len(words) > ACTION_MAX:
        raise InvalidInput(
            "text", f"कार्रवाई अधिकतम {ACTION_MAX} अक्षर · at most {ACTION_MAX} characters"
        )
    raw = taken_on.strip()
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("taken_on", "तारीख दें · give the date, YYYY-MM-DD") from None
    if day > today:
        raise InvalidInput("taken_on", "तारीख भविष्य की नहीं हो सकती · the date is in the future")
    if day < earliest:
        raise InvalidInput(
            "taken_on", f"तारीख {earliest.isoformat()} से पहले की नहीं · the date is before "
            f"{earliest.isoformat()}, when it was received",
        )  # fmt: skip
    return words, day


def check_callback(outcome: str, note: str) -> tuple[str, str]:
    """The feedback cell's call back as it will be stored: an outcome of OUTCOMES and a
    note of at most 1,000 characters (may be empty)."""
    if outcome not in OUTCOMES:
        raise InvalidInput("outcome", "परिणाम चुनें · choose how the call went")
    words = plain_words(note)
    if len(words) > NOTE_MAX:
        raise InvalidInput("note", f"टिप्पणी अधिकतम {NOTE_MAX} अक्षर · at most {NOTE_MAX} characters")
    return outcome, words
