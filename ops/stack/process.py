"""Process helpers of the stack and of ops/services.py: pid files, ports, detached spawns,
bounded waits and polite stops, a lock per server between processes, and private folders.

Everything under the data folder is the installation's own: folders 0700, logs 0600, and
the servers and services are spawned with umask 077, so what they write (Kafka's segments,
Redis's append-only file, their logs) is private too.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from ops.stack.config import StackConfig, StackError

STOP_TIMEOUT = 30.0


PRIVATE_UMASK = 0o077
# The data folder's own folders (PostgreSQL's home included: its owner, postgres, keeps
# full access; initdb makes the cluster inside it 0700 itself).
DATA_FOLDERS = ("logs", "run", "kafka", "redis", "postgres")


def private_dir(path: Path) -> Path:
    """``path`` (and missing parents) made, and set to 0700 if it already existed."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """``path`` created empty if missing; 0600 either way."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    return path


def secure_data_dir(cfg: StackConfig) -> None:
    """An installation made before folders were private: its folders set to 0700 and every
    log in them to 0600 (what the running servers write next is private by their umask)."""
    for name in DATA_FOLDERS:
        folder = cfg.data_dir / name
        if folder.is_dir():
            folder.chmod(0o700)
    for pattern in ("logs/*", "redis/*.log", "kafka/logs/*", "postgres/*.log"):
        for path in cfg.data_dir.glob(pattern):
            if path.is_file():
                path.chmod(0o600)


def run_dir(cfg: StackConfig) -> Path:
    return private_dir(cfg.data_dir / "run")


def logs_dir(cfg: StackConfig) -> Path:
    return private_dir(cfg.data_dir / "logs")


@contextlib.contextmanager
def locked(cfg: StackConfig, name: str) -> Iterator[None]:
    """Serialise start/stop of one server between processes (parallel test workers)."""
    with open(run_dir(cfg) / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def pid_alive(pid: int) -> bool:
    """True if ``pid`` runs; reaps it if it is our own exited child (else it stays a zombie)."""
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat_line.rpartition(")")[2].split()[0] not in ("Z", "X")


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def our_pid(pid_file: Path, marker: str) -> int | None:
    """The pid in ``pid_file`` if that process still runs and is ours (``marker`` in argv)."""
    pid = read_pid(pid_file)
    if pid is not None and pid_alive(pid) and marker in cmdline(pid):
        return pid
    return None


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(check: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def tail(path: Path, lines: int = 30) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - 64 * 1024))
            text = f.read().decode(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return f"--- last lines of {path} ---\n" + "\n".join(text.splitlines()[-lines:])


def error_with_logs(message: str, *logs: Path) -> StackError:
    return StackError("\n".join([message, *(tail(log) for log in logs)]))


def spawn(argv: list[str], log: Path, env: Mapping[str, str] | None = None) -> int:
    """Start ``argv`` detached (own session, stdin /dev/null, output appended to ``log``,
    which is 0600), with umask 077: whatever it creates, only the installation's user reads.

    posix_spawn rather than Popen: the server outlives us, and a Popen object dropped while
    its child runs warns (ResourceWarning) in every test that starts a server.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(log), flags, 0o600),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    env = dict(os.environ if env is None else env)
    if log.exists():
        log.chmod(0o600)
    previous = os.umask(PRIVATE_UMASK)  # the child inherits it; ours is restored at once
    try:
        return os.posix_spawnp(argv[0], argv, env, file_actions=actions, setsid=True)
    finally:
        os.umask(previous)


def terminate(pid: int, first: signal.Signals, timeout: float = STOP_TIMEOUT) -> None:
    """Send ``first``, wait up to ``timeout`` seconds, then SIGKILL; return once it is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, first)
    if wait_for(lambda: not pid_alive(pid), timeout):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if not wait_for(lambda: not pid_alive(pid), 10):
        raise StackError(f"process {pid} survived SIGKILL")


def port_taken(what: str, host: str, port: int, env_var: str, hint: str = "") -> StackError:
    return StackError(
        f"cannot start {what}: {host}:{port} is already in use by a program this data folder "
        f"did not start{hint}. Stop that program, or choose another port with {env_var}."
    )
