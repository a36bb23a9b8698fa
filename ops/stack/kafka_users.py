"""Kafka's principals: the installation's admin, and one user per service allowed only its
own topics and consumer groups (the broker refuses everything no ACL allows); and the
broker's own login to its KRaft controller.

Passwords are generated once into ``<data>/secrets.env`` as ``KAFKA_<USER>_PASSWORD``; the
admin's SCRAM credential is written when the storage is formatted (nothing can log in
before it), the others are set with the Admin API after every start, with their ACLs.
The controller's user logs in with SASL/PLAIN on the controller listener: its password is
in the broker's properties, not in the metadata (the controller reads SCRAM credentials
from the metadata log it serves, so SCRAM cannot guard its own listener).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ops.stack.config import StackConfig, StackError

ADMIN = "admin"
MECHANISM = "SCRAM-SHA-512"
CONTROLLER = "controller"  # the broker's login to the controller listener, nobody else's
CONTROLLER_MECHANISM = "PLAIN"
ANY = "*"  # every topic or group


@dataclass(frozen=True)
class Grants:
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()  # consumer groups it joins
    describes: tuple[str, ...] = ()  # topics whose offsets it may ask for, no records
    watches: tuple[str, ...] = ()  # groups whose offsets and members it may ask for


# Topic names as in shared.topics; kept literal here so the stack needs none of shared/.
PRINCIPALS: dict[str, Grants] = {
    "intake": Grants(reads=("stations",), writes=("feedback.submitted",)),
    "analytics": Grants(
        reads=("feedback.submitted",),
        writes=("station.scores", "feedback.dlq"),
        groups=("analytics",),
    ),
    "notifier": Grants(
        reads=("station.scores", "stations"),
        writes=("station.scores.dlq",),
        groups=("notifier",),
    ),
    "qr": Grants(writes=("stations",)),
    # Lag and dead-letter counts: every group's offsets, and every topic, since the lag in
    # seconds is the timestamp of a group's oldest unread record (ops/lag/reader.py). It
    # writes nothing and joins no group.
    "ops": Grants(reads=(ANY,), watches=(ANY,)),
}


def password_key(user: str) -> str:
    return f"KAFKA_{user.upper()}_PASSWORD"


LOGINS = (ADMIN, CONTROLLER, *PRINCIPALS)  # every user with a password in secrets.env
SECRET_KEYS = tuple(password_key(user) for user in LOGINS)


def _secrets_file(cfg: StackConfig) -> Path:
    return cfg.data_dir / "secrets.env"


def passwords(cfg: StackConfig) -> dict[str, str]:
    """Every principal's password: from the environment if set there, else from
    ``secrets.env``, where a missing one is generated now (and kept)."""
    path = _secrets_file(cfg)
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                known[key.strip()] = value.strip()
    missing = [key for key in SECRET_KEYS if key not in known and not os.environ.get(key)]
    if missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        with path.open("a") as secrets_file:
            for key in missing:
                known[key] = secrets.token_urlsafe(32)
                secrets_file.write(f"{key}={known[key]}\n")
    return {
        user: os.environ.get(password_key(user)) or known[password_key(user)] for user in LOGINS
    }


def login_env(env: Mapping[str, str], user: str) -> dict[str, str]:
    """``env`` for a process that logs in to Kafka as ``user``: its own user name and password
    (shared.kafka_io.kafka_security reads them), and no other principal's login. Without
    the user's password in ``env`` it raises: a process that cannot log in would only
    retry for ever against a broker that refuses it."""
    others = {*SECRET_KEYS, "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"}
    child = {k: v for k, v in env.items() if k not in others}
    password = env.get(password_key(user))
    if not password:
        raise StackError(f"no {password_key(user)} for Kafka's user {user}: run ./pratikriya up")
    child["KAFKA_SASL_USERNAME"] = user
    child["KAFKA_SASL_PASSWORD"] = password
    return child


def jaas(user: str, password: str) -> str:
    return (
        "org.apache.kafka.common.security.scram.ScramLoginModule required"
        f' username="{user}" password="{password}";'
    )


def controller_jaas(password: str) -> str:
    """The controller listener's JAAS: the broker logs in as CONTROLLER (username,
    password), and CONTROLLER is the one user the listener accepts (user_<name>)."""
    return (
        "org.apache.kafka.common.security.plain.PlainLoginModule required"
        f' username="{CONTROLLER}" password="{password}" user_{CONTROLLER}="{password}";'
    )


def ensure_principals(bootstrap: str, known: Mapping[str, str]) -> None:
    """Set every service user's SCRAM credential and ACLs, logged in as the admin.
    Both requests are idempotent, so this runs after every start."""
    from kafka.admin import (
        ACL,
        ACLOperation,
        ACLPermissionType,
        KafkaAdminClient,
        ResourcePattern,
        ResourceType,
        ScramMechanism,
        UserScramCredentialUpsertion,
    )
    from kafka.errors import KafkaError

    def allow(user: str, kind: ResourceType, name: str, op: ACLOperation) -> ACL:
        return ACL(f"User:{user}", ANY, op, ACLPermissionType.ALLOW, ResourcePattern(kind, name))

    topic, group = ResourceType.TOPIC, ResourceType.GROUP
    acls = [
        allow(user, kind, name, op)
        for user, grants in PRINCIPALS.items()
        for kind, names, op in (
            (topic, grants.reads, ACLOperation.READ),
            (topic, grants.writes, ACLOperation.WRITE),
            (topic, grants.describes, ACLOperation.DESCRIBE),
            (group, grants.groups, ACLOperation.READ),
            (group, grants.watches, ACLOperation.DESCRIBE),
        )
        for name in names
    ]
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            client_id="pratikriya-principals",
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism=MECHANISM,
            sasl_plain_username=ADMIN,
            sasl_plain_password=known[ADMIN],
        )
    except KafkaError as exc:
        raise StackError(f"cannot log in to Kafka as {ADMIN}: {exc}") from exc
    try:
        upserts = [
            UserScramCredentialUpsertion(user, ScramMechanism.SCRAM_SHA_512, known[user])
            for user in PRINCIPALS
        ]
        failed = {u: e for u, e in admin.alter_user_scram_credentials(upserts).items() if e}
        if failed:
            raise StackError(f"cannot set Kafka users' credentials: {failed}")
        result = admin.create_acls(acls)
        if result.get("failed"):
            raise StackError(f"cannot set Kafka's ACLs: {result['failed']}")
    finally:
        admin.close()
