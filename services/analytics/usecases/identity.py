"""The feedback cell's view of a visitor's name and mobile number, to call them back.

Only the feedback cell may ask (the route says so; ``Principal.sees_identity``), always
with a reason, and every view is written to the audit log before it is shown. The audit
line names the feedback by its event id and keeps the reason, never the name or the
number: a number typed into the reason is masked, and so is the visitor's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.analytics.ports import IdentitySource
from services.analytics.usecases.reads import shown_comment
from shared.masking import mask_contact_details

REASON_MIN, REASON_MAX = 5, 500
# Why the feedback cell looks: (Hindi, English). The free-text reason says the rest.
PURPOSES: dict[str, tuple[str, str]] = {
    "callback": ("वापस कॉल", "call the visitor back"),
    "follow_up": ("शिकायत पर कार्रवाई", "follow up the complaint"),
    "verification": ("प्रतिक्रिया की पुष्टि", "verify the feedback"),
    "other": ("अन्य", "other"),
}
NAME_HIDDEN = "[नाम छिपाया · name hidden]"
AUDIT_ACTION = "identity.view"

Audit = Callable[..., None]  # the gate's audit(action, target, reason, **details)


class UnknownFeedback(LookupError):
    """No feedback with this id was given at this station."""


class InvalidReason(ValueError):
    """The reason is missing, too short or too long, or the purpose is not one of ours."""


@dataclass(frozen=True)
class Revealed:
    feedback: dict[str, Any]  # as police see it (masked words)
    name: str | None
    mobile: str | None
    purged_at: datetime | None
    recorded: bool  # whether anything was kept at all

    @property
    def mobile_shown(self) -> str | None:
        """``+91 98765 43210``: easier to read out and dial."""
        if not self.mobile or len(self.mobile) != 13:
            return self.mobile
        return f"{self.mobile[:3]} {self.mobile[3:8]} {self.mobile[8:]}"


def feedback_for_reveal(source: IdentitySource, station_code: str, event_id: str) -> dict[str, Any]:
    """The feedback (as police see it) whose visitor the feedback cell asks about; raises
    UnknownFeedback unless ``event_id`` is a feedback given at ``station_code``."""
    try:
        parsed = UUID(event_id)
    except ValueError:
        raise UnknownFeedback(event_id) from None
    found = source.feedback_at(parsed, station_code)
    if found is None:
        raise UnknownFeedback(event_id)
    return shown_comment(found)


def plain_text(typed: str) -> str:
    """What was typed, without control characters and with runs of spaces made one."""
    return " ".join("".join(c for c in typed if c.isprintable() or c.isspace()).split())


def check_reason(purpose: str, reason: str) -> tuple[str, str]:
    """(purpose, reason) as they will be recorded; InvalidReason with a message for the
    form otherwise."""
    reason = plain_text(reason)
    if purpose not in PURPOSES:
        raise InvalidReason("कारण चुनें · choose why you need the number")
    if len(reason) < REASON_MIN:
        raise InvalidReason(
            f"कारण कम से कम {REASON_MIN} अक्षर · give a reason of at least {REASON_MIN} characters"
        )
    if len(reason) > REASON_MAX:
        raise InvalidReason(
            f"कारण अधिकतम {REASON_MAX} अक्षर · a reason has at most {REASON_MAX} characters"
        )
    return purpose, reason


def reveal(
    source: IdentitySource, feedback: Mapping[str, Any], station_code: str, purpose: str,
    reason: str, audit: Audit,
) -> Revealed:  # fmt: skip
    """The visitor's name and mobile of ``feedback``, after writing the view to the audit
    log (``audit``; if that fails, nothing is shown). ``purpose`` and ``reason`` come from
    check_reason."""
    event_id: UUID = feedback["event_id"]
    kept = source.identity(event_id) or {}
    audit(
        AUDIT_ACTION, target=str(event_id), reason=_without_identity(reason, kept.get("name")),
        station=station_code, purpose=purpose,
    )  # fmt: skip
    return Revealed(
        dict(feedback), kept.get("name"), kept.get("mobile"), kept.get("purged_at"),
        recorded=bool(kept),
    )  # fmt: skip


def _without_identity(reason: str, name: str | None) -> str:
    return without_identity(reason, name, REASON_MAX)


def without_identity(text: str, name: str | None, limit: int) -> str:
    """The text with numbers masked and the visitor's name (each word of it of three
    letters or more) replaced, so that the audit log (or a call back's note) never holds
    either; cut to ``limit`` if the placeholders made it longer."""
    text = mask_contact_details(text)
    words = sorted({w for w in (name or "").split() if len(w) >= 3}, key=len, reverse=True)
    if words:
        pattern = "|".join(re.escape(w) for w in words)
        text = re.sub(pattern, NAME_HIDDEN, text, flags=re.IGNORECASE)
    return text if len(text) <= limit else text[: limit - 1] + "…"
