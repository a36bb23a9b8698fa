"""The secrets docker-compose.yml asks for in .env, generated: every one that ./pratikriya up
makes for itself (ops/cli.py GENERATED_SECRETS: keys, one password per Kafka user and per
database role, ...), the sealing key pair, the two API tokens, and the two database
passwords only compose has (the owner's, the superuser's).

    docker run --rm pratikriya:local python -m ops.compose_secrets > .env          # a new one
    docker run --rm -i pratikriya:local python -m ops.compose_secrets < .env > .env.new

Lines already on stdin are kept as they are (other settings too); only the missing secrets
are added. Every password is URL-safe (it goes into URLs and JAAS lines as it is).
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterable

from ops.cli import GENERATED_SECRETS
from shared import sealing
from shared.auth.credentials import new_token

TOKENS = ("ADMIN_TOKEN", "OPS_READYZ_TOKEN")  # API tokens: prk_ and random
COMPOSE_ONLY = ("PRATIKRIYA_DB_PASSWORD", "POSTGRES_SUPERUSER_PASSWORD")
SEALING = ("ANALYTICS_SEAL_KEYS", "INTAKE_SEAL_PUBLIC_KEY")
SECRETS = (*GENERATED_SECRETS, *COMPOSE_ONLY, *TOKENS, *SEALING)


def _known(lines: Iterable[str]) -> dict[str, str]:
    known = {}
    for line in lines:
        key, sep, value = line.partition("=")
        if sep and not key.lstrip().startswith("#"):
            known[key.strip()] = value.strip()
    return known


def completed(lines: list[str]) -> list[str]:
    """``lines`` (of a .env) with a line for every secret they lack."""
    known = _known(lines)
    added: dict[str, str] = {}
    if not known.get("ANALYTICS_SEAL_KEYS"):
        pair = sealing.generate("k1")
        added["ANALYTICS_SEAL_KEYS"], added["INTAKE_SEAL_PUBLIC_KEY"] = pair.private, pair.public
    elif not known.get("INTAKE_SEAL_PUBLIC_KEY"):
        added["INTAKE_SEAL_PUBLIC_KEY"] = sealing.public_setting(known["ANALYTICS_SEAL_KEYS"])
    for key in SECRETS:
        if not known.get(key) and key not in added:
            added[key] = new_token() if key in TOKENS else secrets.token_urlsafe(32)
    out = []
    for line in lines:  # a secret set empty ("KEY=") gets its value in its own line
        key = line.partition("=")[0].strip()
        out.append(f"{key}={added.pop(key)}" if key in added and "=" in line else line)
    return [*out, *(f"{key}={value}" for key, value in added.items())]


def main() -> int:
    lines = [] if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read().splitlines()
    sys.stdout.write("".join(f"{line}\n" for line in completed(lines)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
