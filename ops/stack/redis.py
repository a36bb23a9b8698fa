"""Our own Redis: a password, append-only file, fsync every second, no snapshots.

<data>/redis/   redis.conf (0600: it holds ``requirepass``), append-only files; redis.log

The password is REDIS_URL's, else REDIS_PASSWORD, else the one ``./pratikriya`` generated
into <data>/secrets.env (ops/cli.py ``ensure_secrets``, which runs before any server
starts). It goes in the config file, not on the command line, where every user's ``ps``
would see it.
"""

from __future__ import annotations

import shutil
import signal
import socket
from pathlib import Path

from ops.stack.config import StackConfig, StackError
from ops.stack.process import (
    cmdline,
    error_with_logs,
    locked,
    logs_dir,
    our_pid,
    pid_alive,
    port_open,
    port_taken,
    private_dir,
    private_file,
    run_dir,
    spawn,
    terminate,
    wait_for,
)

REDIS_START_TIMEOUT = 15.0


def _redis_pid_file(cfg: StackConfig) -> Path:
    return run_dir(cfg) / "redis.pid"


def _redis_log(cfg: StackConfig) -> Path:
    return cfg.data_dir / "redis" / "redis.log"


def _redis_conf(cfg: StackConfig) -> Path:
    return cfg.data_dir / "redis" / "redis.conf"


def redis_password(cfg: StackConfig) -> str:
    """The password our Redis requires (see the module's docstring); StackError if none."""
    if cfg.redis_password:
        return cfg.redis_password
    secrets_file = cfg.data_dir / "secrets.env"
    if secrets_file.exists():
        for line in secrets_file.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() == "REDIS_PASSWORD" and value.strip():
                return value.strip()
    raise StackError(f"no Redis password: not in REDIS_URL, REDIS_PASSWORD or {secrets_file}")


def _quoted(text: str) -> str:
    """A value of redis.conf in double quotes (backslash and quote escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _redis_settings(cfg: StackConfig, password: str) -> str:
    folder = cfg.data_dir / "redis"
    return "".join(
        f"{key} {value}\n"
        for key, value in (
            ("port", str(cfg.redis_port)),
            ("bind", cfg.redis_host),
            ("dir", _quoted(str(folder))),
            ("daemonize", "no"),
            ("appendonly", "yes"),
            ("appendfsync", "everysec"),
            ("save", '""'),
            ("logfile", _quoted(str(_redis_log(cfg)))),
            ("requirepass", _quoted(password)),
        )
    )


def redis_pid(cfg: StackConfig) -> int | None:
    # Redis rewrites its process title to "redis-server <host>:<port>".
    pid = our_pid(_redis_pid_file(cfg), "redis-server")
    if pid is not None and f":{cfg.redis_port}" in cmdline(pid):
        return pid
    return None


def _command(*words: str) -> bytes:
    """One command in Redis's protocol (RESP): safe for any password's characters."""
    parts = [f"*{len(words)}\r\n".encode()]
    for word in words:
        data = word.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def _redis_answers(host: str, port: int, password: str | None) -> bytes:
    """Redis's replies to AUTH (when a password is given) and PING; b"" if unreachable."""
    request = (_command("AUTH", password) if password is not None else b"") + _command("PING")
    expected = 2 if password is not None else 1
    answer = b""
    try:
        with socket.create_connection((host, port), timeout=0.5) as conn:
            conn.sendall(request)
            while answer.count(b"\r\n") < expected:
                chunk = conn.recv(256)
                if not chunk:
                    break
                answer += chunk
    except OSError:
        return b""
    return answer


def _redis_pong(host: str, port: int, password: str) -> bool:
    """True if Redis accepts ``password`` and answers PING."""
    return _redis_answers(host, port, password) == b"+OK\r\n+PONG\r\n"


def _refuses(host: str, port: int, password: str) -> bool:
    """True if Redis answers but turns ``password`` down (not while it loads its data)."""
    answer = _redis_answers(host, port, password)
    return answer != b"" and not answer.startswith((b"+OK", b"-LOADING"))


def redis_running(cfg: StackConfig) -> bool:
    """True if our Redis runs and answers PING with our password."""
    return redis_pid(cfg) is not None and _redis_pong(
        cfg.redis_host, cfg.redis_port, redis_password(cfg)
    )


def check_redis_port(cfg: StackConfig) -> None:
    if port_open(cfg.redis_host, cfg.redis_port):
        hint = (
            " (another Redis: Debian's redis-server service?)"
            if b"PONG" in _redis_answers(cfg.redis_host, cfg.redis_port, None)
            else ""
        )
        raise port_taken("Redis", cfg.redis_host, cfg.redis_port, "REDIS_URL", hint)


def start_redis(cfg: StackConfig) -> None:
    """Start our Redis (a password, append-only file, fsync every second); return once it
    answers PING with the password."""
    password = redis_password(cfg)
    with locked(cfg, "redis"):
        if redis_running(cfg):
            return
        pid = redis_pid(cfg)
        if pid is not None and _refuses(cfg.redis_host, cfg.redis_port, password):
            # Ours, started before it had this password (an older installation): restarted
            # with it; SIGTERM writes the append-only file first.
            terminate(pid, signal.SIGTERM)
            pid = None
        if pid is None:
            check_redis_port(cfg)
            server = shutil.which("redis-server") or "/usr/bin/redis-server"
            private_dir(cfg.data_dir / "redis")
            conf = private_file(_redis_conf(cfg))
            conf.write_text(_redis_settings(cfg, password))
            pid = spawn([server, str(conf)], logs_dir(cfg) / "redis.out")
            _redis_pid_file(cfg).write_text(f"{pid}\n")

        def ready() -> bool:
            if not pid_alive(pid):
                raise error_with_logs(
                    "Redis exited while starting", _redis_log(cfg), logs_dir(cfg) / "redis.out"
                )
            return _redis_pong(cfg.redis_host, cfg.redis_port, password)

        if not wait_for(ready, REDIS_START_TIMEOUT):
            raise error_with_logs("Redis did not answer PING in time", _redis_log(cfg))


def stop_redis(cfg: StackConfig) -> None:
    """Stop our Redis (SIGTERM flushes the append-only file), SIGKILL after 30 s."""
    with locked(cfg, "redis"):
        pid = redis_pid(cfg)
        if pid is not None:
            terminate(pid, signal.SIGTERM)
        _redis_pid_file(cfg).unlink(missing_ok=True)
