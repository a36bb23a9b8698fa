"""Our own Redis: append-only file, fsync every second, no snapshots.

<data>/redis/   append-only files; redis.log
"""

from __future__ import annotations

import shutil
import signal
import socket
from pathlib import Path

from ops.stack.config import StackConfig
from ops.stack.process import (
    cmdline,
    error_with_logs,
    locked,
    logs_dir,
    our_pid,
    pid_alive,
    port_open,
    port_taken,
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


def redis_pid(cfg: StackConfig) -> int | None:
    # Redis rewrites its process title to "redis-server <host>:<port>".
    pid = our_pid(_redis_pid_file(cfg), "redis-server")
    if pid is not None and f":{cfg.redis_port}" in cmdline(pid):
        return pid
    return None


def _redis_pong(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def redis_running(cfg: StackConfig) -> bool:
    """True if our Redis runs and answers PING."""
    return redis_pid(cfg) is not None and _redis_pong(cfg.redis_host, cfg.redis_port)


def check_redis_port(cfg: StackConfig) -> None:
    if port_open(cfg.redis_host, cfg.redis_port):
        hint = (
            " (another Redis: Debian's redis-server service?)"
            if _redis_pong(cfg.redis_host, cfg.redis_port)
            else ""
        )
        raise port_taken("Redis", cfg.redis_host, cfg.redis_port, "REDIS_URL", hint)


def start_redis(cfg: StackConfig) -> None:
    """Start our Redis (append-only file, fsync every second); return once it answers PING."""
    with locked(cfg, "redis"):
        if redis_running(cfg):
            return
        pid = redis_pid(cfg)
        if pid is None:
            check_redis_port(cfg)
            server = shutil.which("redis-server") or "/usr/bin/redis-server"
            folder = cfg.data_dir / "redis"
            folder.mkdir(parents=True, exist_ok=True)
            argv = [
                server,
                "--port",
                str(cfg.redis_port),
                "--bind",
                cfg.redis_host,
                "--dir",
                str(folder),
                "--daemonize",
                "no",
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
                "--logfile",
                str(_redis_log(cfg)),
            ]
            pid = spawn(argv, logs_dir(cfg) / "redis.out")
            _redis_pid_file(cfg).write_text(f"{pid}\n")

        def ready() -> bool:
            if not pid_alive(pid):
                raise error_with_logs(
                    "Redis exited while starting", _redis_log(cfg), logs_dir(cfg) / "redis.out"
                )
            return _redis_pong(cfg.redis_host, cfg.redis_port)

        if not wait_for(ready, REDIS_START_TIMEOUT):
            raise error_with_logs("Redis did not answer PING in time", _redis_log(cfg))


def stop_redis(cfg: StackConfig) -> None:
    """Stop our Redis (SIGTERM flushes the append-only file), SIGKILL after 30 s."""
    with locked(cfg, "redis"):
        pid = redis_pid(cfg)
        if pid is not None:
            terminate(pid, signal.SIGTERM)
        _redis_pid_file(cfg).unlink(missing_ok=True)
