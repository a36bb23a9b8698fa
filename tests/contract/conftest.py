"""The running services (gunicorn, as in production) for the contract tests, a token of a
role that may use each service's routes, and an HTTP client that calls them from an address
that is not loopback, as a visitor's phone or an officer's browser would."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from shared.auth import Role
from tests.e2e.conftest import all_services  # noqa: F401 - the fixture, shared
from tests.police import bearer, token

# Who calls each service in the contract tests: a role that may use every route of it.
# Intake's API is public; its description still needs a sign-in.
CALLERS = {
    "intake": Role.COMMISSIONER,
    "qr": Role.ADMIN,
    "analytics": Role.COMMISSIONER,
    "notifier": Role.COMMISSIONER,
}
DESCRIBED = tuple(CALLERS)


def outside_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one: connecting from
    it to 127.0.0.1 makes the services see a client that is not on loopback. Found by
    routing a UDP socket (nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only the route is looked up
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


class _FromAddress(HTTPAdapter):
    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


@pytest.fixture(scope="session")
def source_address() -> str | None:
    return outside_address()


@pytest.fixture(scope="session")
def outside_session(source_address) -> requests.Session:
    """A requests session whose connections come from ``source_address`` (or loopback on a
    machine without another address)."""
    session = requests.Session()
    if source_address is not None:
        session.mount("http://", _FromAddress(source_address))
    return session


@pytest.fixture(scope="session")
def base_urls(all_services) -> dict[str, str]:  # noqa: F811 - the fixture imported above
    return {name: f"http://127.0.0.1:{port}" for name, port in all_services.items()}


@pytest.fixture(scope="session")
def callers(infra) -> dict[str, dict[str, str]]:
    """``Authorization`` headers, one token per service, of the role in CALLERS."""
    made: dict[Role, dict[str, str]] = {}
    for role in set(CALLERS.values()):
        made[role] = bearer(token(infra["DATABASE_URL"], role))
    return {name: made[role] for name, role in CALLERS.items()}
