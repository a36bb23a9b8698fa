"""Each route's declared access rule: a decorator on the view, read by the gate before the
view runs. A route without one is refused (403), and a test walks every route of every app
so that a new route cannot become public by accident.

* ``public``: anybody (the form, its thank-you page, QR images and posters, ``/healthz``);
* ``signed_link``: anybody holding a link the view checks itself (an alert's ack link);
* ``loopback_or_token``: from the machine itself, or with an ``ops`` or ``admin`` token or
  sign-in (``/metrics`` and ``/readyz``);
* ``roles(...)``: a signed-in person or a token with one of these roles; the view narrows
  to the principal's station or zone with ``gate.require_station``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from shared.auth.roles import Role

View = TypeVar("View", bound=Callable[..., Any])
_ATTRIBUTE = "pratikriya_access"


@dataclass(frozen=True)
class Rule:
    kind: str  # "public", "signed_link", "loopback_or_token" or "roles"
    roles: frozenset[Role] = frozenset()

    def describe(self) -> str:
        if self.kind == "roles":
            return "sign-in or token: " + ", ".join(sorted(r.value for r in self.roles))
        return self.kind.replace("_", " ")


PUBLIC = Rule("public")
SIGNED_LINK = Rule("signed_link")
LOOPBACK_OR_TOKEN = Rule("loopback_or_token")
MONITORS = frozenset({Role.OPS, Role.ADMIN})
EVERY_ROLE = frozenset(Role)


def declare(rule: Rule) -> Callable[[View], View]:
    def mark(view: View) -> View:
        setattr(view, _ATTRIBUTE, rule)
        return view

    return mark


public = declare(PUBLIC)
signed_link = declare(SIGNED_LINK)
loopback_or_token = declare(LOOPBACK_OR_TOKEN)


def roles(*allowed: Role) -> Callable[[View], View]:
    if not allowed:
        raise ValueError("roles() needs at least one role")
    return declare(Rule("roles", frozenset(allowed)))


signed_in = declare(Rule("roles", EVERY_ROLE))  # any role: the sign-out, one's password


def rule_of(view: Callable[..., Any] | None) -> Rule | None:
    return getattr(view, _ATTRIBUTE, None) if view is not None else None
