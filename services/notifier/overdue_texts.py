"""The words of an overdue direction's notice: a short bilingual SMS and a bilingual email.

They name the direction by its number, the station (or stations) that have not reported
compliance, the due date, and link to the direction's page in analytics. They are built only
from the direction's number, dates and the registry's station names: the direction's own
words (which could quote a visitor) are not repeated, and a visitor's name or number is
never given to anything here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.events import Station


@dataclass(frozen=True)
class OverdueMessage:
    sms: str
    subject: str
    email: str


def direction_url(analytics_public_url: str, direction_id: int) -> str:
    return f"{analytics_public_url.rstrip('/')}/directions/{direction_id}"


def _names(stations: list[Station]) -> tuple[str, str]:
    return (
        ", ".join(s.name_hi for s in stations),
        ", ".join(f"{s.name_en} ({s.code})" for s in stations),
    )


def render_overdue(
    direction_id: int, due_on: date, stations: list[Station], *, to_station: bool, url: str
) -> OverdueMessage:
    """The notice to the SHO of ``stations[0]`` (``to_station``), or to the issuer about
    every station in ``stations`` that has not reported compliance."""
    due = due_on.strftime("%d-%m-%Y")
    names_hi, names_en = _names(stations)
    if to_station:
        sms_hi = (
            f"निर्देश #{direction_id} ({names_hi} थाना) की अंतिम तिथि {due} बीत गई; "
            "अनुपालन रिपोर्ट नहीं आई।"
        )
        sms_en = (
            f"Direction #{direction_id} to {names_en}: due {due}, "
            "no compliance reported. Report now."
        )
    else:
        sms_hi = f"निर्देश #{direction_id}: {names_hi} ने {due} तक अनुपालन रिपोर्ट नहीं दी।"
        sms_en = f"Direction #{direction_id}: not complied by {due}: {names_en}."
    sms = f"Pratikriya OVERDUE/अतिदेय: {sms_hi} / {sms_en} {url}"
    subject = f"[Pratikriya] OVERDUE: direction #{direction_id}, due {due} / निर्देश अतिदेय"
    lines = [
        sms_hi,
        sms_en,
        "",
        f"निर्देश / Direction: #{direction_id}",
        f"अंतिम तिथि / Due: {due}",
        "अनुपालन नहीं / Not complied:",
        *(f"  {s.name_hi} / {s.name_en} ({s.code}), zone {s.zone}" for s in stations),
        "",
        f"निर्देश का पृष्ठ / The direction's page: {url}",
    ]
    if to_station:
        lines += ["", "अनुपालन रिपोर्ट उसी पृष्ठ पर दें / Report compliance on that page."]
    lines += ["", "Visitors' names and mobile numbers are never sent in these notices."]
    return OverdueMessage(sms=sms, subject=subject, email="\n".join(lines) + "\n")
