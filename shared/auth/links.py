"""Where the police pages of each service are, so that any service can send a person to
their own start page and draw one navigation bar for all of them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from shared.auth.roles import CITY_WIDE, ZONE_ROLES, Principal, Role
from shared.config import Env

_DEFAULT_PORTS = {"qr": 8002, "analytics": 8003, "notifier": 8004, "ops": 8005}


@dataclass(frozen=True)
class PoliceLinks:
    """Each service's base URL as a browser reaches it: ``<SERVICE>_URL``, or on one machine
    ``http://<host>:<SERVICE>_PORT`` with the host of ``PUBLIC_BASE_URL`` (localhost by
    default), so that every page sits on the one host whose cookie holds the sign-in."""

    qr: str = "http://localhost:8002"
    analytics: str = "http://localhost:8003"
    notifier: str = "http://localhost:8004"
    ops: str = "http://localhost:8005"

    @classmethod
    def from_env(cls, env: Env) -> PoliceLinks:
        host = urlsplit(env.str("PUBLIC_BASE_URL", "http://localhost:8001")).hostname
        found = {}
        for name, port in _DEFAULT_PORTS.items():
            upper = name.upper()
            given = env.str(f"{upper}_URL", "")
            port_now = env.int(f"{upper}_PORT", port)
            found[name] = (given or f"http://{host or 'localhost'}:{port_now}").rstrip("/")
        return cls(**found)

    def origins(self) -> list[str]:
        """Each service's origin (scheme, host and port), once each, in a stable order."""
        found: list[str] = []
        for url in (self.qr, self.analytics, self.notifier, self.ops):
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in found:
                found.append(origin)
        return found

    def home(self, principal: Principal) -> str:
        """Where a person lands after signing in."""
        if principal.role in CITY_WIDE:
            return self.analytics + "/"
        if principal.role in ZONE_ROLES and principal.zone:
            return f"{self.analytics}/?zone={principal.zone}"
        if principal.role is Role.SHO and principal.station_code:
            return f"{self.analytics}/stations/{principal.station_code}"
        if principal.role is Role.ADMIN:
            return self.qr + "/admin"
        return self.ops + "/ops"

    def nav(self, principal: Principal) -> list[tuple[str, str]]:
        """(label, URL) of each police page this principal may open."""
        items: list[tuple[str, str]] = []
        if principal.reads_feedback:
            items.append(("स्कोर · Scores", self.home(principal)))
            items.append(("इनबॉक्स · Inbox", self.analytics + "/inbox"))
            items.append(("अलर्ट · Alerts", self.notifier + "/alerts"))
            items.append(("निर्देश · Directions", self.analytics + "/directions"))
        if principal.role in CITY_WIDE or principal.role in ZONE_ROLES:
            items.append(("साप्ताहिक सार · Digest", self.analytics + "/digest"))
        if principal.role in CITY_WIDE:
            items.append(("ऑडिट · Audit log", self.analytics + "/audit"))
        if principal.role is Role.ADMIN:
            items.append(("रजिस्टर · Registry", self.qr + "/admin"))
            items.append(("खाते · Accounts", self.qr + "/admin/accounts"))
            items.append(("टोकन · Tokens", self.qr + "/admin/tokens"))
            items.append(("अधिकारियों के नाम · Officers' names", self.analytics + "/officers"))
        if principal.role in (Role.OPS, Role.ADMIN):
            items.append(("संचालन · Operations", self.ops + "/ops"))
        return items
