"""Our own PostgreSQL cluster: initdb on first use, our port and socket, the app's role.

<data>/postgres/   data/ (the cluster), run/ (unix socket), postgres.log
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ops.stack.config import StackConfig, StackError
from ops.stack.process import (
    cmdline,
    error_with_logs,
    locked,
    pid_alive,
    port_open,
    port_taken,
    private_file,
    read_pid,
    terminate,
    wait_for,
)

POSTGRES_START_TIMEOUT = 60


@dataclass(frozen=True)
class _Postgres:
    bindir: Path
    home: Path  # <data>/postgres
    pgdata: Path
    socket_dir: Path
    log: Path
    superuser: str


def postgres_install(cfg: StackConfig) -> _Postgres:
    versions = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "pg_ctl").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not versions:
        raise StackError("cannot start PostgreSQL: not installed (apt-get install postgresql)")
    home = cfg.data_dir / "postgres"
    superuser = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    return _Postgres(
        versions[-1], home, home / "data", home / "run", home / "postgres.log", superuser
    )


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its tools as the postgres OS user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _pg_run(argv: list[str], input_text: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _as_postgres(argv), input=input_text, capture_output=True, text=True, check=False, cwd="/"
    )


def _grant_traverse(path: Path, user: str) -> None:
    """Let ``user`` reach ``path``: add o+x to each parent folder it cannot search."""
    entry = pwd.getpwnam(user)
    groups = {g.gr_gid for g in grp.getgrall() if user in g.gr_mem} | {entry.pw_gid}
    for folder in reversed(path.parents):
        info = folder.stat()
        if info.st_uid == entry.pw_uid and info.st_mode & stat.S_IXUSR:
            continue
        if info.st_gid in groups and info.st_mode & stat.S_IXGRP:
            continue
        if info.st_mode & stat.S_IXOTH:
            continue
        folder.chmod(info.st_mode | stat.S_IXOTH)
        print(
            f"granted traverse permission (o+x) on {folder} so PostgreSQL can reach its data",
            file=sys.stderr,
        )


def _prepare_postgres_dirs(pg: _Postgres) -> None:
    for folder in (pg.home, pg.socket_dir):
        folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        _grant_traverse(pg.home, "postgres")
        for path in (pg.home, pg.socket_dir):
            shutil.chown(path, "postgres", "postgres")
        private_file(pg.log)
        shutil.chown(pg.log, "postgres", "postgres")
    # Only its owner (postgres, or our own user when not root) reaches the cluster's folder.
    pg.home.chmod(0o700)


def _initdb(pg: _Postgres) -> None:
    if (pg.pgdata / "PG_VERSION").is_file():
        return
    done = _pg_run(
        [
            str(pg.bindir / "initdb"),
            "-D",
            str(pg.pgdata),
            "-U",
            pg.superuser,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--auth-local=peer",
            "--auth-host=scram-sha-256",
        ]
    )
    if done.returncode != 0:
        raise StackError("initdb failed:\n" + (done.stdout + done.stderr)[-3000:])
    with open(pg.pgdata / "postgresql.conf", "a") as conf:
        conf.write("\ninclude_if_exists = 'pratikriya.conf'\n")


def _write_postgres_settings(cfg: StackConfig, pg: _Postgres) -> None:
    settings = pg.pgdata / "pratikriya.conf"
    settings.write_text(
        "# Written by ops/stack/postgres.py on every start.\n"
        f"listen_addresses = '{cfg.postgres_host}'\n"
        f"port = {cfg.postgres_port}\n"
        f"unix_socket_directories = '{pg.socket_dir}'\n"
    )
    if os.geteuid() == 0:
        shutil.chown(settings, "postgres", "postgres")


def postmaster_pid(pg: _Postgres) -> int | None:
    """The postmaster of our cluster, if it runs."""
    pid = read_pid(pg.pgdata / "postmaster.pid")
    if pid is not None and pid_alive(pid) and str(pg.pgdata) in cmdline(pid):
        return pid
    return None


def postgres_running(cfg: StackConfig) -> bool:
    """True if our cluster runs and accepts TCP connections (False if not even installed)."""
    try:
        pg = postgres_install(cfg)
    except StackError:
        return False
    return postmaster_pid(pg) is not None and port_open(cfg.postgres_host, cfg.postgres_port)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def psql_superuser(cfg: StackConfig, sql: str, database: str = "postgres") -> str:
    """Run ``sql`` (psql script, may use backslash commands) as the PostgreSQL superuser
    through our unix socket; return psql's unaligned, tuples-only output.

    Raises StackError with psql's message if any statement fails (ON_ERROR_STOP).
    """
    pg = postgres_install(cfg)
    done = _pg_run(
        [
            str(pg.bindir / "psql"),
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(pg.socket_dir),
            "-p",
            str(cfg.postgres_port),
            "-U",
            pg.superuser,
            "-d",
            database,
            "-f",
            "-",
        ],
        input_text=sql,
    )
    if done.returncode != 0:
        raise StackError(f"psql as superuser failed: {done.stderr.strip()}")
    return done.stdout


def _ensure_app_role(cfg: StackConfig) -> None:
    """The application's login role (not superuser) and its database, owned by it."""
    role, db = _quote_literal(cfg.postgres_user), _quote_literal(cfg.postgres_db)
    ident = _quote_ident(cfg.postgres_user)
    password = _quote_literal(cfg.postgres_password)
    # Sent on stdin, never in argv, so the password does not show in `ps`. A psql script with
    # \gexec cannot take bind parameters; every value is quoted by the helpers above.
    script = f"""
SELECT format('CREATE ROLE %I', {role}) WHERE NOT EXISTS
  (SELECT 1 FROM pg_roles WHERE rolname = {role}) \\gexec
ALTER ROLE {ident} WITH LOGIN NOSUPERUSER NOCREATEROLE PASSWORD {password};
SELECT format('CREATE DATABASE %I OWNER %I', {db}, {role}) WHERE NOT EXISTS
  (SELECT 1 FROM pg_database WHERE datname = {db}) \\gexec
"""  # noqa: S608 (values quoted with _quote_literal/_quote_ident)
    psql_superuser(cfg, script)


def check_postgres_port(cfg: StackConfig) -> None:
    if port_open(cfg.postgres_host, cfg.postgres_port):
        hint = " (Debian's own cluster 'main'? `pg_lsclusters` lists it)"
        raise port_taken("PostgreSQL", cfg.postgres_host, cfg.postgres_port, "DATABASE_URL", hint)


def start_postgres(cfg: StackConfig) -> None:
    """Start our PostgreSQL cluster (initdb on first use) and ensure the app role and db."""
    with locked(cfg, "postgres"):
        pg = postgres_install(cfg)
        if postmaster_pid(pg) is None:
            check_postgres_port(cfg)
            _prepare_postgres_dirs(pg)
            _initdb(pg)
            _write_postgres_settings(cfg, pg)
            done = _pg_run(
                [
                    str(pg.bindir / "pg_ctl"),
                    "start",
                    "-D",
                    str(pg.pgdata),
                    "-l",
                    str(pg.log),
                    "-w",
                    "-t",
                    str(POSTGRES_START_TIMEOUT),
                ]
            )
            if done.returncode != 0:
                raise error_with_logs("PostgreSQL did not start: " + done.stdout.strip(), pg.log)
        if not wait_for(
            lambda: port_open(cfg.postgres_host, cfg.postgres_port), POSTGRES_START_TIMEOUT
        ):
            raise error_with_logs("PostgreSQL runs but does not accept TCP connections", pg.log)
        _ensure_app_role(cfg)


def stop_postgres(cfg: StackConfig) -> None:
    """Stop our cluster: SIGINT (PostgreSQL's "fast" shutdown: SIGTERM would wait for every
    client to disconnect), SIGKILL after 30 s."""
    with locked(cfg, "postgres"):
        pid = postmaster_pid(postgres_install(cfg))
        if pid is not None:
            terminate(pid, signal.SIGINT)
