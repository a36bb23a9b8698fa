"""The one-shot `setup` container of docker-compose.yml: what `./pratikriya up` does before it
starts the services (ops/cli.py prepare() and ensure_admin_token()), for containers.

    python /opt/pratikriya/setup.py      (in the image; deploy/docker/setup.py in the repo)

1. Kafka topics (shared.topics.ensure_topics), logged in as Kafka's `admin`
   (KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD); then every service's Kafka user with its
   password (KAFKA_<USER>_PASSWORD) and its ACLs (ops.stack.kafka_users.ensure_principals,
   the same users and ACLs as ./pratikriya up).
2. Migrations (shared.migrate), as the application's role from DATABASE_URL.
3. Seed: Gurugram's zones and stations (ops.seeding).
4. The analysts' login `pratikriya_analyst`: allowed the views of the `analyst` schema (now
   and in later migrations); then a check that it logs in with ANALYST_PASSWORD. The role
   itself and its password are made by PostgreSQL's init script
   (deploy/docker/postgres-init/10-pratikriya-roles.sh), because a LOGIN role needs a
   superuser and this container runs as the non-superuser application role. A failed check
   is reported, not fatal: feedback collection does not depend on the analysts' login.
   Then every service's own PostgreSQL role, its password (PRATIKRIYA_<ROLE>_DB_PASSWORD) and
   exactly its grants (ops.db_roles, as ./pratikriya up), with the analysts' login's limits;
   as the superuser `postgres` (POSTGRES_SUPERUSER_PASSWORD), through psycopg2 (no psql in
   the image). A password changed in .env is applied at the next `docker compose up`.
5. ADMIN_TOKEN's hash registered in `api_tokens` as an admin token
   (services.qr.cli.ensure_admin_token): every service knows tokens only by
   hash. A revoked token stays revoked.
6. Every station published to the compacted `stations` topic
   (services.qr.cli.announce_stations), for the readers that know the registry only from it.
7. The first police account, `admin` (the IT cell), on the first run only: its one-time
   password is printed here, once (`docker compose logs setup`), as `./pratikriya up` prints
   it. Later: `docker compose exec qr python -m ops.cli accounts reset admin`.
8. OPS_READYZ_TOKEN, when set, registered as an `ops` token: the operations service sends it
   with its /readyz questions, which from another container are not from loopback.

Each step is idempotent, so the container runs again harmlessly on every `docker compose up`.
Settings: KAFKA_BOOTSTRAP_SERVERS, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (admin), every
KAFKA_<USER>_PASSWORD, DATABASE_URL (the owner), POSTGRES_SUPERUSER_PASSWORD, every
PRATIKRIYA_<ROLE>_DB_PASSWORD, ADMIN_TOKEN, ANALYST_PASSWORD, OPS_READYZ_TOKEN (optional).
"""

from __future__ import annotations

import os
import sys

from ops import db_roles
from ops.analysts import ANALYST_ROLE, analyst_login_works
from ops.stack import kafka_users

FIRST_ADMIN_LABEL = "first admin token (docker compose setup)"
READYZ_LABEL = "operations page's readiness checks (docker compose setup)"


def _required(name: str, min_length: int = 16) -> str:
    value = os.environ.get(name, "").strip()
    if len(value) < min_length:
        sys.exit(
            f"setup: {name} must be set to a random string of at least {min_length} characters"
            " (.env next to docker-compose.yml; see deploy/docker/README.md)"
        )
    return value


def kafka_passwords() -> dict[str, str]:
    """The admin's and every service user's Kafka password, from the environment."""
    users = (kafka_users.ADMIN, *kafka_users.PRINCIPALS)
    return {user: _required(kafka_users.password_key(user)) for user in users}


def db_passwords() -> dict[str, str]:
    """Every service role's PostgreSQL password, from the environment."""
    return {role: _required(db_roles.password_key(role)) for role in db_roles.SERVICE_ROLES}


def grant_analyst_views(database_url: str) -> bool:
    """As the owner of the analyst schema (the application role that ran the migrations):
    the views now and those of later migrations. False when the role does not exist."""
    import psycopg2

    conn = psycopg2.connect(database_url, connect_timeout=10, application_name="setup")
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ANALYST_ROLE,))
            if cur.fetchone() is None:
                return False
            cur.execute(f"GRANT USAGE ON SCHEMA analyst TO {ANALYST_ROLE}")
            cur.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA analyst TO {ANALYST_ROLE}")
            cur.execute(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA analyst"
                f" GRANT SELECT ON TABLES TO {ANALYST_ROLE}"
            )
        return True
    finally:
        conn.close()


def register_ops_token(database_url: str, token: str) -> bool:
    """OPS_READYZ_TOKEN's hash as an ``ops`` API token, unless a token with that hash exists
    (a revoked one stays revoked). True when registered now."""
    import psycopg2

    from shared.auth.credentials import digest, plausible_token

    if not plausible_token(token):
        sys.exit("setup: OPS_READYZ_TOKEN must start with prk_ (see deploy/docker/README.md)")
    conn = psycopg2.connect(database_url, connect_timeout=10, application_name="setup")
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "INSERT INTO api_tokens (label, role, token_hash, created_by)"
                " VALUES (%s, 'ops', %s, 'docker compose setup')"
                " ON CONFLICT (token_hash) DO NOTHING",
                (READYZ_LABEL, digest(token)),
            )
            return cur.rowcount == 1
    finally:
        conn.close()


def main() -> int:
    from ops.accounts import FIRST_ADMIN, ensure_first_admin
    from ops.seeding import seed
    from services.qr.cli import announce_stations, ensure_admin_token
    from shared.migrate import migrate
    from shared.topics import ensure_topics

    kafka = _required("KAFKA_BOOTSTRAP_SERVERS", 1)
    database_url = _required("DATABASE_URL", 1)
    admin_token = _required("ADMIN_TOKEN")
    analyst_password = _required("ANALYST_PASSWORD")

    kafka_known = kafka_passwords()
    if os.environ.get("KAFKA_SASL_USERNAME") != kafka_users.ADMIN:
        sys.exit(f"setup: KAFKA_SASL_USERNAME must be {kafka_users.ADMIN} (docker-compose.yml)")
    role_passwords = db_passwords()
    superuser_password = _required("POSTGRES_SUPERUSER_PASSWORD")

    # The profile `cluster`: three replicas, two in sync for a write (as up --brokers 3).
    replicas = int(os.environ.get("KAFKA_REPLICATION") or "1")
    if replicas not in (1, 3):
        sys.exit(f"setup: KAFKA_REPLICATION is {replicas}: 1 (one node) or 3 (the cluster)")
    created = ensure_topics(
        kafka, replication_factor=replicas, min_insync_replicas=2 if replicas == 3 else 1
    )
    print(f"topics: {len(created)} created" + (f" ({', '.join(created)})" if created else ""))
    kafka_users.ensure_principals(kafka, kafka_known)
    print(f"kafka users: {', '.join(kafka_users.PRINCIPALS)}, each with its own ACLs")
    applied = migrate(database_url)
    print(f"migrations: {len(applied)} applied")
    zones, stations = seed(database_url)
    print(f"seed: {zones} zones and {stations} stations added")

    if not grant_analyst_views(database_url):
        print(
            f"analysts' login: WARNING: role {ANALYST_ROLE} does not exist. PostgreSQL's init"
            " script makes it on the first start of an empty volume; to make it now:"
            " docker compose exec postgres /docker-entrypoint-initdb.d/10-pratikriya-roles.sh",
            flush=True,
        )
    elif analyst_login_works(database_url, analyst_password):
        print(f"analysts' login: {ANALYST_ROLE} reads the analyst views")
    else:
        print(
            f"analysts' login: WARNING: {ANALYST_ROLE} cannot log in with ANALYST_PASSWORD"
            " (changed in .env after the first start?). To set it from .env:"
            " docker compose up -d postgres && docker compose exec postgres"
            " /docker-entrypoint-initdb.d/10-pratikriya-roles.sh",
            flush=True,
        )

    superuser = db_roles.role_database_url(database_url, "postgres", superuser_password)
    db_roles.ensure_service_roles_at(superuser, role_passwords)
    print(f"database roles: {', '.join(db_roles.SERVICE_ROLES)}, each with its own grants")

    _, registered = ensure_admin_token(database_url, admin_token, FIRST_ADMIN_LABEL)
    print("admin token: " + ("registered" if registered else "already registered"))

    announced = announce_stations(database_url, kafka)
    print(f"stations topic: {announced} stations announced")

    readyz_token = os.environ.get("OPS_READYZ_TOKEN", "").strip()
    if readyz_token:
        registered = register_ops_token(database_url, readyz_token)
        print("readiness token: " + ("registered" if registered else "already registered"))

    password = ensure_first_admin(database_url)
    if password is None:
        print(f"IT cell account: {FIRST_ADMIN} exists (a new password: docker compose exec qr"
              f" python -m ops.cli accounts reset {FIRST_ADMIN})")  # fmt: skip
    else:
        print(f"IT cell account: {FIRST_ADMIN}, one-time password (shown only now; to be"
              " changed at the first sign-in):")  # fmt: skip
        print(password, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
