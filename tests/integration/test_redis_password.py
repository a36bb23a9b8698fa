"""Redis asks for the password ``./pratikriya`` generated: a client without it, or with a
wrong one, is refused by the running server; the URL every service gets carries it, and
``./pratikriya credentials`` prints it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis

from ops.cli import with_redis_password
from shared.redis_io import redis_client

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def without_password(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def test_the_services_url_carries_a_password_that_redis_accepts(infra):
    assert urlsplit(infra["REDIS_URL"]).password
    assert redis_client(infra["REDIS_URL"]).ping() is True


def test_a_client_with_no_password_is_refused(infra):
    client = redis.Redis.from_url(without_password(infra["REDIS_URL"]))
    with pytest.raises(redis.AuthenticationError):
        client.set("pratikriya:test:intruder", "1")
    with pytest.raises(redis.AuthenticationError):
        client.get("intake:limit:anything")


def test_a_client_with_a_wrong_password_is_refused(infra):
    url = with_redis_password(without_password(infra["REDIS_URL"]), "not-the-password")
    with pytest.raises(redis.AuthenticationError):
        redis.Redis.from_url(url).ping()


def test_the_password_is_in_the_installation_secrets_and_the_credentials_command(
    infra, stack_config
):
    password = urlsplit(infra["REDIS_URL"]).password
    secrets_file = stack_config.data_dir / "secrets.env"
    assert f"REDIS_PASSWORD={password}\n" in secrets_file.read_text()
    done = subprocess.run(
        [sys.executable, "-m", "ops.cli", "credentials"], cwd=REPO, env=dict(os.environ),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("Redis"))
    printed = line.split(": ", 1)[1]
    assert urlsplit(printed).password == password
    assert redis_client(printed).ping() is True


def test_the_password_is_in_redis_config_file_not_on_its_command_line(infra, stack_config):
    from ops.stack.redis import redis_pid

    password = urlsplit(infra["REDIS_URL"]).password
    pid = redis_pid(stack_config)
    assert pid is not None
    assert password not in Path(f"/proc/{pid}/cmdline").read_bytes().decode()
    conf = stack_config.data_dir / "redis" / "redis.conf"
    assert f'requirepass "{password}"' in conf.read_text()
