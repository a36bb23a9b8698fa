"""The installation's data is its own: the data folder's folders 0700, logs and the Redis
config (it holds the password) 0600, whatever the servers and services write themselves
private by their umask; and PostgreSQL, whose folder belongs to the postgres user, still
reaches its data."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from ops.stack import process
from shared import db

pytestmark = pytest.mark.integration


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_folders_are_0700_and_the_logs_and_secrets_0600(infra, stack_config):
    data = stack_config.data_dir
    for name in process.DATA_FOLDERS:
        assert mode(data / name) == 0o700, name
    logs = [p for p in (data / "logs").iterdir() if p.is_file()]
    logs += [data / "redis" / "redis.log", data / "kafka" / "logs" / "server.log"]
    logs += [data / "postgres" / "postgres.log"]
    assert len(logs) > 4
    for path in [*logs, data / "redis" / "redis.conf", data / "secrets.env"]:
        assert mode(path) & 0o077 == 0, path


def test_postgresql_still_reaches_its_data_behind_the_private_folder(infra, stack_config):
    home = stack_config.data_dir / "postgres"
    if os.geteuid() == 0:
        assert home.owner() == "postgres"
    # A table of the session's own: its file is written under the cluster's folder.
    with db.connection(infra["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
        cur.execute("CREATE TEMP TABLE file_modes_probe (x int)")
        cur.execute("INSERT INTO file_modes_probe SELECT generate_series(1, 1000)")
        cur.execute("SELECT count(*) FROM file_modes_probe")
        assert cur.fetchone() == (1000,)


def test_a_spawned_process_writes_a_private_log_and_private_files(tmp_path):
    log, made = tmp_path / "child.log", tmp_path / "made-by-child"
    log.write_text("")
    log.chmod(0o644)  # a log left by an older installation
    script = f"open({str(made)!r}, 'w').write('x'); print('written')"
    pid = process.spawn([sys.executable, "-c", script], log)
    assert os.waitpid(pid, 0)[1] == 0

    assert log.read_text().strip() == "written"
    assert mode(log) == 0o600
    assert mode(made) == 0o600


def test_the_stack_tightens_an_older_installation_s_folders(tmp_path, stack_config):
    from dataclasses import replace

    cfg = replace(stack_config, data_dir=tmp_path)
    for name in ("logs", "redis"):
        (tmp_path / name).mkdir(mode=0o755)
    (tmp_path / "logs" / "intake.log").write_text("old")
    (tmp_path / "logs" / "intake.log").chmod(0o644)

    process.secure_data_dir(cfg)

    assert mode(tmp_path / "logs") == mode(tmp_path / "redis") == 0o700
    assert mode(tmp_path / "logs" / "intake.log") == 0o600
