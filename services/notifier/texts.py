"""The words of an alert: a short bilingual SMS and a fuller bilingual email.

They name the station, the rule and the numbers, and link to the station's dashboard page.
They are built only from counts and the registry's names: a visitor's name or number cannot
reach them because nothing here is ever given one.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.notifier.domain import ROLES
from shared.events import Station

WINDOW_WORDS = {
    "1h": ("पिछले 1 घंटे में", "in the last hour"),
    "24h": ("पिछले 24 घंटों में", "in the last 24 hours"),
    "7d": ("पिछले 7 दिनों में", "in the last 7 days"),
    "30d": ("पिछले 30 दिनों में", "in the last 30 days"),
}
RULE_WORDS = {
    "low_rating": ("ने 1 या 2 स्टार दिए", "rated the station 1 or 2 stars", "Low ratings"),
    "unresolved": (
        "ने कहा कि उनकी समस्या हल नहीं हुई",
        "said their problem was not solved",
        "Problems not solved",
    ),
}
RULE_TITLES_HI = {"low_rating": "कम रेटिंग", "unresolved": "समस्या हल नहीं"}
KIND_WORDS = {
    "raise": ("चेतावनी", "ALERT"),
    "repeat": ("अब भी", "STILL HIGH"),
    "worse": ("और बिगड़ा", "WORSE"),
    "escalate": ("स्वीकार नहीं हुआ", "ESCALATED"),
    "resolve": ("सामान्य", "RESOLVED"),
}
ROLE_WORDS = {"sho": ("SHO", "SHO"), "acp": ("ACP", "ACP"), "dcp": ("DCP", "DCP")}


@dataclass(frozen=True)
class Numbers:
    """What the alert says: ``part`` of the last ``count`` answers in ``window``; the usual
    share from the baseline (None: the station has no baseline yet)."""

    rule: str
    window: str
    part: int
    count: int
    usual_share: float | None


@dataclass(frozen=True)
class Message:
    sms: str
    subject: str
    email: str


def usual(share: float | None) -> tuple[str, str]:
    """ "1 in 10" style, in Hindi and English."""
    if share is None:
        return ("अभी पुराना आंकड़ा नहीं", "no history yet")
    if share <= 0:
        return ("लगभग कोई नहीं", "almost none")
    one_in = max(1, round(1 / share))
    return (f"{one_in} में 1", f"1 in {one_in}")


def render(
    kind: str,
    station: Station,
    numbers: Numbers,
    *,
    level: int,
    dashboard_url: str,
    ack_url: str | None,
) -> Message:
    rule_hi, rule_en, rule_title = RULE_WORDS[numbers.rule]
    when_hi, when_en = WINDOW_WORDS.get(numbers.window, (numbers.window, numbers.window))
    usual_hi, usual_en = usual(numbers.usual_share)
    kind_hi, kind_en = KIND_WORDS[kind]
    n, k = numbers.count, numbers.part
    if kind == "resolve":
        title_hi = RULE_TITLES_HI[numbers.rule]
        sms_hi = f"{station.name_hi} थाना: '{title_hi}' की चेतावनी समाप्त, स्थिति सामान्य।"
        sms_en = f"{station.name_en} PS: {rule_title} alert resolved, back to normal."
    else:
        sms_hi = (
            f"{station.name_hi} थाना: {when_hi} {n} में से {k} आगंतुकों {rule_hi}; सामान्य: {usual_hi}।"
        )
        sms_en = (
            f"{station.name_en} PS: {k} of the last {n} visitors {rule_en} ({when_en}); "
            f"usual: {usual_en}."
        )
    head = f"Pratikriya {kind_en}/{kind_hi}"
    if kind == "escalate":
        role_en = ROLE_WORDS[ROLES[level]][1]
        head += f" ({role_en})"
    sms = f"{head}: {sms_hi} / {sms_en} {dashboard_url}"
    subject = f"[Pratikriya] {kind_en}: {rule_title}, {station.name_en} / {station.name_hi}"
    lines = [
        sms_hi,
        sms_en,
        "",
        f"थाना / Station: {station.name_hi} / {station.name_en} ({station.code}), "
        f"zone {station.zone}",
        f"नियम / Rule: {RULE_TITLES_HI[numbers.rule]} / {rule_title}",
        f"अवधि / Window: {numbers.window}: {k} of {n}" + (f" ({k / n:.0%})" if n else ""),
        f"सामान्य / Usual (30 days before the last 24 hours): {usual_en}",
        f"स्तर / Level: {ROLES[level].upper()}",
        "",
        f"डैशबोर्ड / Dashboard: {dashboard_url}",
    ]
    if kind == "escalate":
        note = f"Not acknowledged in time; the alert is now with the {ROLES[level].upper()}."
        lines.insert(2, note)
    if ack_url and kind != "resolve":
        lines += [
            "",
            "स्वीकार करें (आपने देख लिया है) / Acknowledge (you are on it):",
            ack_url,
            "Acknowledging stops the escalation to the next officer.",
        ]
    lines += ["", "Visitors' names and mobile numbers are never sent in alerts."]
    return Message(sms=sms, subject=subject, email="\n".join(lines) + "\n")
