"""Helpers for the QR service's tests."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.support import unique_code


def new_station(zone: str = "East", **fields: Any) -> dict[str, Any]:
    code = fields.pop("code", None) or unique_code("QR")
    return {
        "code": code,
        "name_en": f"Test {code}",
        "name_hi": f"परीक्षण थाना {code}",
        "zone": zone,
        "address": "Sector 1, Gurugram",
        "sho_name": "Insp. Test",
        "sho_mobile": "9000000301",
        "sho_email": "sho.test@example.invalid",
        **fields,
    }


def http(method: str, url: str, body: Any = None, token: str | None = None):
    """(status, headers, body bytes) of a real HTTP request."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - test URLs
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def zbar(image: Path) -> list[str]:
    done = subprocess.run(
        ["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True, timeout=30
    )
    return done.stdout.splitlines()


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=30)
    return done.stdout


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=30)
    line = next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


def admin_token(database_url: str, label: str = "tests") -> tuple[int, str]:
    """(id, token): a new ``admin`` API token, as ``./pratikriya tokens add --role admin``
    makes one."""
    from shared.auth import Role
    from shared.auth import accounts as auth
    from tests.police import store

    kept = store(database_url)
    try:
        record, token = auth.add_token(kept, auth.Actor.cli(), Role.ADMIN, label=label)
    finally:
        kept.pool.close()
    return record.id, token


def revoke_token(database_url: str, token_id: int) -> None:
    from shared.auth import accounts as auth
    from tests.police import store

    kept = store(database_url)
    try:
        auth.revoke_token(kept, auth.Actor.cli(), token_id)
    finally:
        kept.pool.close()


def token_id_of(database_url: str, token: str) -> int:
    from shared import db
    from shared.auth.credentials import digest

    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT id FROM api_tokens WHERE token_hash = %s", (digest(token),))
        return int(cur.fetchone()[0])


def audit_lines(database_url: str, target: str) -> list[dict[str, Any]]:
    """The audit log's lines about ``target``, oldest first."""
    from shared import db

    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT actor_kind, actor_id, actor_name, action, reason, details::text"
            " FROM audit_log WHERE target = %s ORDER BY id",
            (target,),
        )
        names = ("actor_kind", "actor_id", "actor_name", "action", "reason", "details")
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def start_services(stack_config, infra) -> dict[str, str]:
    """Intake and the QR service under gunicorn, as ./pratikriya up runs them (intake with
    its default settings, so it follows the stations topic); their URLs by name. The QR
    service is started afresh, so it runs this checkout's code; every test signs in from
    127.0.0.1, so the pause after many failed sign-ins from one address is set out of reach
    (the lock of one account after five still holds)."""
    from ops import services

    services.stop_service(stack_config, "qr")
    env = {**infra, "AUTH_IP_MAX_FAILURES": "1000000"}
    return {
        name: f"http://127.0.0.1:{services.start_service(stack_config, name, env)}"
        for name in ("intake", "qr")
    }
