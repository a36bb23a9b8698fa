"""The commands behind ``./pratikriya``: up, down, status, credentials, test, bench, lag,
accounts, tokens, purge and partitions.

``./pratikriya`` (bash) installs what is missing and then runs ``python -m ops.cli``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from ops import accounts, analysts, db_roles, services, stack
from ops.stack import kafka_users
from shared.auth import PoliceLinks
from shared.config import Env

GENERATED_SECRETS = (
    "QR_SIGNING_KEY",
    "MOBILE_HASH_KEY",
    "ANALYST_PASSWORD",
    "REDIS_PASSWORD",
    *(db_roles.password_key(role) for role in db_roles.SERVICE_ROLES),
    *kafka_users.SECRET_KEYS,
)


def sealing_public(private_setting: str) -> str:
    from shared import sealing

    return sealing.public_setting(private_setting)


def _seal_keys(known: dict[str, str]) -> list[str]:
    """Fill in the sealing key pair (key id ``k1``) when there is none; the public half again
    if only it is missing. Returns the settings added. Rotation: docs/sealing.md."""
    from shared import sealing

    added = []
    if not known.get("ANALYTICS_SEAL_KEYS"):
        pair = sealing.generate("k1")
        known["ANALYTICS_SEAL_KEYS"], known["INTAKE_SEAL_PUBLIC_KEY"] = pair.private, pair.public
        added = ["ANALYTICS_SEAL_KEYS", "INTAKE_SEAL_PUBLIC_KEY"]
    elif not known.get("INTAKE_SEAL_PUBLIC_KEY"):
        known["INTAKE_SEAL_PUBLIC_KEY"] = sealing.public_setting(known["ANALYTICS_SEAL_KEYS"])
        added = ["INTAKE_SEAL_PUBLIC_KEY"]
    return added


def ensure_secrets(cfg: stack.StackConfig, env: dict[str, str]) -> Path:
    """Create the installation's keys once, under the data folder, and put them in ``env``
    unless the environment already sets them (a real deployment does)."""
    path = cfg.data_dir / "secrets.env"
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                known[key.strip()] = value.strip()
    missing = [k for k in GENERATED_SECRETS if k not in known]
    missing += [k for k in _seal_keys(known) if k not in missing]
    if missing:
        for key in missing:
            known.setdefault(key, secrets.token_urlsafe(32))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text("".join(f"{k}={v}\n" for k, v in known.items()))
    if env.get("ANALYTICS_SEAL_KEYS") and not env.get("INTAKE_SEAL_PUBLIC_KEY"):
        # The environment's own private keys: the public half must be theirs, not the file's.
        env["INTAKE_SEAL_PUBLIC_KEY"] = sealing_public(env["ANALYTICS_SEAL_KEYS"])
    for key, value in known.items():
        env.setdefault(key, value)
    # This command, and the tests it runs, log in to Kafka as the installation's admin.
    env.setdefault("KAFKA_SASL_USERNAME", kafka_users.ADMIN)
    env.setdefault("KAFKA_SASL_PASSWORD", env[kafka_users.password_key(kafka_users.ADMIN)])
    if "REDIS_URL" in env:
        env["REDIS_URL"] = with_redis_password(env["REDIS_URL"], env["REDIS_PASSWORD"])
    return path


def with_redis_password(url: str, password: str) -> str:
    """``url`` with ``password`` in it, unless it already carries one (a deployment's own)."""
    parts = urlsplit(url)
    if parts.password:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f":{quote(password, safe='')}@{host}"))


def prepare(cfg: stack.StackConfig, env: dict[str, str]) -> None:
    """Servers up, topics created, schema migrated, Gurugram seeded. Safe to repeat."""
    from ops.seeding import seed
    from shared.migrate import migrate
    from shared.topics import ensure_topics

    print("starting Kafka, PostgreSQL and Redis ...", flush=True)
    for key in ("KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"):  # read by shared.kafka_io
        if env.get(key):
            os.environ[key] = env[key]
    stack.start_all(cfg)
    # A cluster's topics on all three nodes, two in sync for a write (ops/stack/kafka.py).
    replicas, min_insync = stack.replication(cfg)
    created = ensure_topics(
        env.get("KAFKA_BOOTSTRAP_SERVERS") or "127.0.0.1:9092",
        replication_factor=replicas,
        min_insync_replicas=min_insync,
    )
    print(f"topics: {len(created)} created" + (f" ({', '.join(created)})" if created else ""))
    database_url = env["DATABASE_URL"]
    applied = migrate(database_url)
    print(f"migrations: {len(applied)} applied")
    zones, stations = seed(database_url)
    print(f"seed: {zones} zones and {stations} stations added")
    if not all(env.get(key) for key in GENERATED_SECRETS):
        ensure_secrets(cfg, env)
    analysts.ensure_analyst_role(cfg, env["ANALYST_PASSWORD"])
    # Each service's own login and grants (README: who may read what in the database).
    db_roles.ensure_service_roles(cfg, env)
    from services.qr.cli import announce_stations

    # Readers that know the registry only from the topic (the notifier) learn every station.
    announced = announce_stations(database_url, env.get("KAFKA_BOOTSTRAP_SERVERS") or "")
    print(f"stations topic: {announced} stations announced")


def ensure_admin_token(cfg: stack.StackConfig, env: dict[str, str]) -> str:
    """The installation's first admin token for the QR service's API: made once, kept as
    ADMIN_TOKEN in secrets.env, its hash registered in the database (a token set in the
    environment is registered as it is; a revoked one stays revoked)."""
    from services.qr.cli import ensure_admin_token as register_token

    given = env.get("ADMIN_TOKEN") or None
    token, _ = register_token(env["DATABASE_URL"], given, "first admin token (pratikriya up)")
    if given is None:
        path = cfg.data_dir / "secrets.env"
        with path.open("a") as secrets_file:
            secrets_file.write(f"ADMIN_TOKEN={token}\n")
        env["ADMIN_TOKEN"] = token
    return token


def intake_url(env: Mapping[str, str]) -> str:
    """Intake's address as visitors reach it: PUBLIC_BASE_URL (service_env sets it from
    INTAKE_PORT when it is not given)."""
    port = services.SERVICES["intake"].port(env)
    return env.get("PUBLIC_BASE_URL", f"http://localhost:{port}").rstrip("/")


def police_links(env: Mapping[str, str]) -> PoliceLinks:
    """Every other service's address, on the host of PUBLIC_BASE_URL: the host whose cookie
    holds the police sign-in, so every URL printed opens with one sign-in."""
    return PoliceLinks.from_env(Env(env))


def service_urls(env: Mapping[str, str]) -> dict[str, str]:
    """Each service's base URL as printed (its /healthz answers there)."""
    links = police_links(env)
    found = {"intake": intake_url(env)}
    for name in services.SERVICES:
        if name != "intake":
            found[name] = getattr(links, name)
    return found


def sadar_poster_url(env: Mapping[str, str]) -> str:
    return f"{police_links(env).qr}/api/v1/stations/GGN-SADAR/poster.pdf"


def analyst_url(cfg: stack.StackConfig, password: str | None = None) -> str:
    """The analysts' connection string; without the password unless it is given."""
    return analysts.analyst_url(analysts.app_database_url(cfg), password)


def sample_form_url(env: dict[str, str], station_code: str = "GGN-SADAR") -> str:
    from shared import db
    from shared.signing import sign

    with db.connection(env["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT qr_version FROM stations WHERE code = %s", (station_code,))
        row = cur.fetchone()
    if row is None:
        return "(station GGN-SADAR is not in the registry)"
    version = row[0]
    sig = sign(env["QR_SIGNING_KEY"].encode(), station_code, version)
    return f"{intake_url(env)}/s/{station_code}?v={version}&sig={sig}"


def service_env(cfg: stack.StackConfig) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("KAFKA_BOOTSTRAP_SERVERS", f"{cfg.kafka_host}:{cfg.kafka_port}")
    if cfg.kafka_brokers > 1:
        # Every node, so that a client starts (and the ops page looks) with any one down.
        env["KAFKA_BOOTSTRAP_SERVERS"] = cfg.kafka_bootstrap
    env.setdefault(
        "DATABASE_URL",
        f"postgresql://{cfg.postgres_user}:{cfg.postgres_password}@"
        f"{cfg.postgres_host}:{cfg.postgres_port}/{cfg.postgres_db}",
    )
    env.setdefault("REDIS_URL", f"redis://{cfg.redis_host}:{cfg.redis_port}/0")
    # What the QR codes print and the host the police links share (shared.auth.links).
    env.setdefault("PUBLIC_BASE_URL", f"http://localhost:{services.SERVICES['intake'].port(env)}")
    services.ensure_environment(env)
    return env


def police_pages(env: Mapping[str, str]) -> list[tuple[str, str]]:
    """(what, URL) of the police pages, for ``up`` and ``credentials``."""
    links = police_links(env)
    return [
        ("Sign in (any service's /login; one sign-in serves all)", f"{links.analytics}/login"),
        ("Commissioner's dashboard", f"{links.analytics}/"),
        ("Alerts", f"{links.notifier}/alerts"),
        ("IT cell: registry, accounts, tokens", f"{links.qr}/admin"),
        ("Operations: lag, health", f"{links.ops}/ops"),
    ]


def first_admin_lines(password: str | None) -> list[str]:
    if password is not None:
        return [
            f"  First IT cell account: {accounts.FIRST_ADMIN}, one-time password (shown only"
            " now; to be changed at the first sign-in):",
            f"    {password}",
        ]
    return [
        f"  IT cell account: {accounts.FIRST_ADMIN} (a new one-time password:"
        f" ./pratikriya accounts reset {accounts.FIRST_ADMIN})"
    ]


def cmd_up(cfg: stack.StackConfig, env: dict[str, str]) -> int:
    secrets_file = ensure_secrets(cfg, env)
    prepare(cfg, env)
    admin_token = ensure_admin_token(cfg, env)
    first_admin = accounts.ensure_first_admin(env["DATABASE_URL"])
    ports = {name: services.start_service(cfg, name, env) for name in services.SERVICES}
    for name in services.WORKERS:
        services.start_worker(cfg, name, env)
    print("\nPratikriya is running.")
    for name, url in service_urls(env).items():
        # /healthz answers on every service (their roots are not all pages).
        print(f"  {name:<10} {url}/healthz  (also /readyz, /metrics from this machine)")
    print(f"\n  Feedback form for Sadar police station:\n    {sample_form_url(env)}")
    print(f"  Poster of Sadar police station (A4 PDF):\n    {sadar_poster_url(env)}")
    print("\n  Police pages:")
    for what, url in police_pages(env):
        print(f"    {what}: {url}")
    print("\n".join(first_admin_lines(first_admin)))
    print(
        "  More accounts: ./pratikriya accounts add USERNAME --role ROLE [--station CODE |"
        " --zone ZONE]; tokens for programs: ./pratikriya tokens add --role ROLE ..."
    )
    print(f"  Admin API token (Authorization: Bearer ...): {admin_token}")
    print(f"  Analysts' database (read-only): {analyst_url(cfg)}")
    print(f"    password: ANALYST_PASSWORD in {secrets_file}")
    if "notifier" in ports:
        sms = "gateway " + env["NOTIFIER_SMS_URL"] if env.get("NOTIFIER_SMS_URL") else "console"
        mail = "SMTP " + env["NOTIFIER_SMTP_HOST"] if env.get("NOTIFIER_SMTP_HOST") else "console"
        print(f"\n  Alerts to SHOs: SMS via {sms}, email via {mail}", end="")
        print(f" (console: {cfg.data_dir / 'logs' / 'notifier-worker.log'})")
        print("    real SMS:  NOTIFIER_SMS_URL, NOTIFIER_SMS_API_KEY, NOTIFIER_SMS_SENDER_ID,")
        print("               NOTIFIER_SMS_DLT_TEMPLATE_ID")
        print("    real mail: NOTIFIER_SMTP_HOST, NOTIFIER_SMTP_PORT (587), NOTIFIER_SMTP_STARTTLS")
        print("               (1), NOTIFIER_SMTP_USER, NOTIFIER_SMTP_PASSWORD, NOTIFIER_EMAIL_FROM")
        print("    rules: deploy/notifier.toml; see docs/notifier.md")
    print(f"\n  Keys of this installation: {secrets_file}")
    print(f"  Logs: {cfg.data_dir / 'logs'}")
    print("  Who sees what, accounts and tokens: docs/access.md")
    print("  Stop everything with: ./pratikriya down")
    return 0


def stop_ours(cfg: stack.StackConfig) -> None:
    """Workers first (they finish their batch and commit), then the HTTP services."""
    for name in [*reversed(list(services.WORKERS)), *reversed(list(services.SERVICES))]:
        services.stop_service(cfg, name)


def cmd_down(cfg: stack.StackConfig, env: dict[str, str]) -> int:
    stop_ours(cfg)
    stack.stop_all(cfg)
    print("Pratikriya stopped.")
    return 0


def cmd_status(cfg: stack.StackConfig, env: dict[str, str]) -> int:
    up = stack.status(cfg)  # the nodes of the cluster that ``up`` last started
    for name, service in services.SERVICES.items():
        up[name] = services.service_pid(cfg, service) is not None
    for name in services.WORKERS:
        # One line per member of its consumer group (ANALYTICS_CONSUMERS, NOTIFIER_CONSUMERS).
        up.update(services.members_status(cfg, name, env))
    for name, running in up.items():
        print(f"{name:<10} {'running' if running else 'stopped'}")
    return 0 if all(up.values()) else 1


def cmd_credentials(cfg: stack.StackConfig, env: dict[str, str]) -> int:
    path = ensure_secrets(cfg, env)
    print(f"Keys of this installation are in {path}")
    print(f"Feedback form for Sadar police station: {sample_form_url(env)}")
    print(f"Poster of Sadar police station: {sadar_poster_url(env)}")
    for what, url in police_pages(env):
        print(f"{what}: {url}")
    print(
        f"IT cell account: {accounts.FIRST_ADMIN} (its password was shown once; a new one:"
        f" ./pratikriya accounts reset {accounts.FIRST_ADMIN})"
    )
    print(f"Admin API token (ADMIN_TOKEN): {ensure_admin_token(cfg, env)}")
    print(
        "Kafka (SASL_PLAINTEXT, SCRAM-SHA-512) for tools such as ./pratikriya lag:"
        f" KAFKA_SASL_USERNAME=ops KAFKA_SASL_PASSWORD={env[kafka_users.password_key('ops')]}"
        f" (admin: {kafka_users.ADMIN}, its password is KAFKA_ADMIN_PASSWORD in {path})"
    )
    print(f"Analysts' database (read-only): {analyst_url(cfg, env['ANALYST_PASSWORD'])}")
    roles = ", ".join(db_roles.SERVICE_ROLES)
    print(f"Services' database logins: {roles}")
    print(f"  (passwords PRATIKRIYA_<SERVICE>_DB_PASSWORD in {path}; grants: the README's")
    print('  "Who may read what in the database")')
    print(f"Redis (password REDIS_PASSWORD): {env['REDIS_URL']}")
    return 0


def cmd_purge(env: Mapping[str, str], days: int | None) -> int:
    """Names and numbers past the retention period (``--days`` or
    PERSONAL_DATA_RETENTION_DAYS), purged now, all of them; PostgreSQL only."""
    import psycopg2

    from services.analytics.adapters.purge import PostgresPersonalData
    from services.analytics.config import AnalyticsConfig
    from services.analytics.usecases.purge import purge_personal_data
    from shared.clock import utc_now

    config = AnalyticsConfig.from_env(dict(env))
    store = PostgresPersonalData(config.connections.database_url, config.group_id)
    try:
        result = purge_personal_data(
            store, utc_now, days or config.retention_days, batch_rows=config.purge_batch_rows
        )
    except psycopg2.OperationalError as error:
        print(f"pratikriya: PostgreSQL did not answer: {error}".strip(), file=sys.stderr)
        return 1
    except ValueError as error:  # PERSONAL_DATA_RETENTION_DAYS under a day
        print(f"pratikriya: {error}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(
        f"purged {result.purged} feedback rows' names and mobile numbers"
        f" (stored before {result.stored_before:%Y-%m-%d %H:%M} UTC)"
    )
    return 0


def cmd_partitions(env: Mapping[str, str], args: argparse.Namespace) -> int:
    """The feedback table's months, or (``drop --before YYYY-MM``) the oldest dropped."""
    import psycopg2

    from ops import partitions

    url = env["DATABASE_URL"]
    try:
        if args.action == "drop":
            before = partitions.parse_month(args.before)
            dropped = partitions.drop_before(url, before, keep_months=args.keep_months)
            for month, counts in dropped:
                others = ", ".join(f"{n} {t}" for t, n in counts.items() if t != "feedback")
                print(f"dropped {month.label}: {counts['feedback']} feedback ({others})")
            if not dropped:
                print(f"no month before {before:%Y-%m} to drop")
            return 0
        months, default_rows = partitions.listing(url)
    except partitions.PartitionError as error:
        print(f"pratikriya: {error}", file=sys.stderr)
        return 2
    except psycopg2.OperationalError as error:
        print(f"pratikriya: PostgreSQL did not answer: {error}".strip(), file=sys.stderr)
        return 1
    for month in months:
        print(f"{month.label}  {month.name}  {month.rows} feedback")
    print(f"default  feedback_default  {default_rows} feedback (months without a partition)")
    return 0


def positive_days(text: str) -> int:
    days = int(text)
    if days < 1:
        raise argparse.ArgumentTypeError("the retention period is at least one day")
    return days


# The whole run (no pytest arguments, as CI runs it) also lints and type-checks: ruff on the
# tree, mypy on what pyproject.toml's [tool.mypy] names. Either failing fails the run.
CHECKS = (("ruff", "check", "."), ("mypy",))


def run_checks(cfg: stack.StackConfig) -> bool:
    """True when every check passed; each runs even if an earlier one failed."""
    passed = True
    for check in CHECKS:
        print("running:", " ".join(check), flush=True)
        if subprocess.call([sys.executable, "-m", *check], cwd=cfg.repo_dir) != 0:
            print(f"pratikriya: {check[0]} failed", file=sys.stderr, flush=True)
            passed = False
    return passed


def cmd_test(cfg: stack.StackConfig, env: dict[str, str], pytest_args: list[str]) -> int:
    checked = run_checks(cfg) if not pytest_args else True
    ensure_secrets(cfg, env)
    prepare(cfg, env)
    os.environ.update(env)
    argv = [sys.executable, "-m", "pytest", *(pytest_args or ["tests"])]
    print("running:", " ".join(argv[1:]), flush=True)
    try:
        code = subprocess.call(argv, cwd=cfg.repo_dir, env=env)
        return code if code or checked else 1
    finally:
        if env.get("PRATIKRIYA_KEEP_TEST_STACK") != "1":
            stop_ours(cfg)
            stack.stop_all(cfg)


def cmd_bench(cfg: stack.StackConfig, env: dict[str, str], bench_args: list[str]) -> int:
    """Every benchmark under bench/, on the test profile's servers; prints one table."""
    ensure_secrets(cfg, env)
    prepare(cfg, env)
    argv = [sys.executable, str(cfg.repo_dir / "bench" / "run.py"), *bench_args]
    try:
        return subprocess.call(argv, cwd=cfg.repo_dir, env=env)
    finally:
        if env.get("PRATIKRIYA_KEEP_TEST_STACK") != "1":
            stack.stop_all(cfg)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pratikriya", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start everything and print the URLs")
    up.add_argument(
        "--brokers",
        type=int,
        choices=stack.KAFKA_BROKER_COUNTS,
        help="Kafka nodes: 1 (default) or 3, a cluster on loopback (KAFKA_BROKERS)",
    )
    sub.add_parser("down", help="stop everything")
    sub.add_parser("status", help="what is running")
    sub.add_parser("credentials", help="where the keys are, and a working form URL")
    test = sub.add_parser("test", help="run the whole test suite against real servers")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    sub.add_parser("lag", help="consumer lag and each group's status (see --help)", add_help=False)
    accounts.accounts_parser(sub)
    accounts.tokens_parser(sub)
    purge = sub.add_parser("purge", help="purge names and numbers past the retention period")
    purge.add_argument(
        "--days", type=positive_days, help="the period (default: PERSONAL_DATA_RETENTION_DAYS)"
    )
    parts = sub.add_parser("partitions", help="the feedback table's months; drop the oldest")
    parts.add_argument("action", nargs="?", choices=("list", "drop"), default="list")
    parts.add_argument("--before", help="drop: every month before this one (YYYY-MM)")
    parts.add_argument(
        "--keep-months", type=int, default=12, help="drop: months kept before this one (12)"
    )
    bench = sub.add_parser("bench", help="run the benchmarks under bench/ and print a table")
    bench.add_argument("bench_args", nargs=argparse.REMAINDER)
    args, unknown = parser.parse_known_args(argv)
    if args.command == "lag":
        from ops.lag import command

        if not os.environ.get("KAFKA_SASL_USERNAME"):  # ops' own user: offsets, no records
            known = kafka_users.passwords(stack.StackConfig.from_env())
            os.environ.update(KAFKA_SASL_USERNAME="ops", KAFKA_SASL_PASSWORD=known["ops"])

        return command.main(unknown)
    if unknown and args.command not in ("test", "bench"):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command == "up" and args.brokers is not None:
        os.environ["KAFKA_BROKERS"] = str(args.brokers)
    try:
        cfg = stack.StackConfig.from_env()
    except stack.StackError as exc:
        print(f"pratikriya: {exc}", file=sys.stderr)
        return 2
    if args.command in ("status", "down", "credentials") and not os.environ.get("KAFKA_BROKERS"):
        cfg = stack.recorded_brokers(cfg)  # what the last ``up`` started
    env = service_env(cfg)
    try:
        if args.command in ("accounts", "tokens"):
            return accounts.run(cfg, env["DATABASE_URL"], args)
        if args.command == "test":
            return cmd_test(cfg, env, unknown + args.pytest_args)
        if args.command == "bench":
            return cmd_bench(cfg, env, unknown + args.bench_args)
        if args.command == "purge":
            return cmd_purge(env, args.days)
        if args.command == "partitions":
            if args.action == "drop" and not args.before:
                parser.error("partitions drop needs --before YYYY-MM")
            return cmd_partitions(env, args)
        return {
            "up": cmd_up,
            "down": cmd_down,
            "status": cmd_status,
            "credentials": cmd_credentials,
        }[args.command](cfg, env)
    except stack.StackError as exc:
        print(f"pratikriya: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
