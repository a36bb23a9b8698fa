"""Requests sent byte for byte (http.client, not a client that would clean them up), from a
chosen source address."""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def send(base_url: str, source: str | None, method: str, target: str,
         headers: dict[str, Any], body: bytes | None = None) -> Answer:  # fmt: skip
    """``method target`` to ``base_url`` with exactly these ``headers`` (str or bytes
    values) and ``body``; from ``source`` when given, else from loopback."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=30,
        source_address=(source, 0) if source else None,
    )  # fmt: skip
    try:
        connection.putrequest(method, target)
        for name, value in headers.items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        answer = connection.getresponse()
        return Answer(answer.status, answer.headers, answer.read())
    finally:
        connection.close()
