"""Police accounts, API tokens, sessions, access rules and the audit log.

* ``roles``: the role names (a contract) and ``Principal``, who is asking and what they see;
* ``access``: the rule each route declares (``public``, ``roles(...)`` ...);
* ``gate``: the Flask side, installed by ``shared.web.make_app`` into every service;
* ``accounts``: the use cases (sign in, add and reset accounts, tokens), with the audit log;
* ``postgres``: the store (migration 0006's tables); tests use ``memory``.
"""

from __future__ import annotations

from shared.auth.accounts import AuthPolicy
from shared.auth.gate import Gate, current_gate
from shared.auth.links import PoliceLinks
from shared.auth.records import AuthStore
from shared.auth.roles import Principal, Role
from shared.config import Env


def gate_from_env(database_url: str, env: Env | None = None) -> Gate:
    """The gate of a service: its store in ``database_url``, its policy and links from the
    environment. Nothing connects before the first request that needs it."""
    from shared.auth.postgres import PostgresAuthStore

    env = env or Env.current()
    store = PostgresAuthStore(database_url)
    return Gate(store, AuthPolicy.from_env(env), PoliceLinks.from_env(env))


__all__ = [
    "AuthPolicy",
    "AuthStore",
    "Gate",
    "PoliceLinks",
    "Principal",
    "Role",
    "current_gate",
    "gate_from_env",
]
