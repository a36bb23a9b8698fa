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


def make_token(database_url: str, label: str) -> tuple[int, str]:
    """(id, token): a new admin token, made the way the command-line tool makes one."""
    from services.qr import usecases

    return usecases.create_token(_tokens_only(database_url), label)


def revoke_token(database_url: str, token_id: int) -> bool:
    from services.qr import usecases

    return usecases.revoke_token(_tokens_only(database_url), token_id)


def _tokens_only(database_url: str):
    from services.qr.cli import offline_deps

    return offline_deps(database_url)


def start_services(stack_config, infra) -> dict[str, str]:
    """Intake and the QR service under gunicorn, as ./pratikriya up runs them (intake with
    its default settings, so it follows the stations topic); their URLs by name."""
    from ops import services

    return {
        name: f"http://127.0.0.1:{services.start_service(stack_config, name, infra)}"
        for name in ("intake", "qr")
    }
