"""The police roles and what each may see. Pure: no I/O.

The role names are a contract (operations scripts and tests outside this repository use
them). An SHO is scoped to one station, a DCP or an ACP to one zone; the others to no part
of the map: the Commissioner's office and the feedback cell see every station, the IT cell
(``admin``) the registry, accounts and tokens, and ``ops`` the pipeline's health.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    COMMISSIONER = "commissioner"
    FEEDBACK_CELL = "feedback_cell"
    DCP = "dcp"
    ACP = "acp"
    SHO = "sho"
    ADMIN = "admin"
    OPS = "ops"


ROLE_TITLES: dict[Role, tuple[str, str]] = {
    Role.COMMISSIONER: ("पुलिस आयुक्त कार्यालय", "Commissioner's office"),
    Role.FEEDBACK_CELL: ("फीडबैक सेल", "Feedback cell"),
    Role.DCP: ("पुलिस उपायुक्त (DCP)", "Deputy Commissioner (DCP)"),
    Role.ACP: ("सहायक पुलिस आयुक्त (ACP)", "Assistant Commissioner (ACP)"),
    Role.SHO: ("थाना प्रभारी (SHO)", "Station House Officer (SHO)"),
    Role.ADMIN: ("आईटी सेल", "IT cell (admin)"),
    Role.OPS: ("संचालन", "Operations"),
}

# Who reads visitors' feedback at all, and who sees every station's.
FEEDBACK_READERS = frozenset({Role.COMMISSIONER, Role.FEEDBACK_CELL, Role.DCP, Role.ACP, Role.SHO})
CITY_WIDE = frozenset({Role.COMMISSIONER, Role.FEEDBACK_CELL})
ZONE_ROLES = frozenset({Role.DCP, Role.ACP})


class ScopeError(ValueError):
    """A role given a scope it cannot have, or none where it needs one."""


def check_scope(role: Role, station_code: str | None, zone: str | None) -> None:
    """ScopeError unless an SHO has exactly a station, a DCP or ACP exactly a zone, and
    every other role neither (the same rule as the tables' CHECK constraints)."""
    if role is Role.SHO:
        if not station_code or zone:
            raise ScopeError("an sho account needs --station CODE (and no --zone)")
    elif role in ZONE_ROLES:
        if not zone or station_code:
            raise ScopeError(f"{_a(role)} account needs --zone ZONE (and no --station)")
    elif station_code or zone:
        raise ScopeError(f"{_a(role)} account has no station or zone")


def _a(role: Role) -> str:
    """The role with its article, as it is read out: "an acp", "an sho", "a dcp"."""
    return ("an " if role.value[0] in "aeiou" or role is Role.SHO else "a ") + role.value


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise ScopeError(f"unknown role {text!r}; the roles are {names}") from None


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in person (``kind="account"``) or a program's token."""

    kind: str  # "account" or "token"
    id: int
    name: str  # the username, or the token's label
    role: Role
    station_code: str | None = None
    zone: str | None = None
    display_name: str = ""
    # Sessions only: the token every form must carry back, and whether the person must set a
    # new password before anything else.
    csrf_token: str | None = None
    must_change_password: bool = False

    @property
    def reads_feedback(self) -> bool:
        return self.role in FEEDBACK_READERS

    @property
    def city_wide(self) -> bool:
        return self.role in CITY_WIDE

    @property
    def sees_identity(self) -> bool:
        """Only the feedback cell may see a visitor's name and mobile number."""
        return self.role is Role.FEEDBACK_CELL

    def sees_station(self, station_code: str, zone: str | None) -> bool:
        """Whether this principal may read feedback, scores and alerts of that station."""
        if self.role in CITY_WIDE:
            return True
        if self.role in ZONE_ROLES:
            return zone is not None and zone == self.zone
        if self.role is Role.SHO:
            return station_code == self.station_code
        return False

    def sees_zone(self, zone: str) -> bool:
        return self.role in CITY_WIDE or (self.role in ZONE_ROLES and zone == self.zone)

    @property
    def scope_label(self) -> str:
        if self.station_code:
            return self.station_code
        if self.zone:
            return f"{self.zone} zone"
        return "all stations" if self.role in CITY_WIDE else ""
