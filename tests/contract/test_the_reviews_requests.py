"""The review's requests that made each service answer 500, replayed byte for byte against
every operation each running service describes: NUL and newlines in paths and query
strings, digits of other scripts where a number is expected, non-ASCII bytes in the
Authorization header, JSON with lone surrogates or ten thousand nested arrays.

Sent with http.client (so the bytes are exactly these), with the caller's token so the
gate lets the request reach the view, from an address that is not loopback."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from tests.contract import wire
from tests.contract.apps import spec_builders
from tests.contract.conftest import DESCRIBED

pytestmark = pytest.mark.integration
FILLS = {"code": "GGN-SADAR", "zone": "East", "alert_id": str(uuid.uuid4())}
OTHER_DIGITS = ("²", "१२", "٣", "１２")  # superscript, Devanagari, Arabic-Indic, full-width
DEEP = ("[" * 10_000 + "]" * 10_000).encode()
SURROGATE = b'{"name": "\\ud800", "reason": "\\udfff"}'


@dataclass(frozen=True)
class Operation:
    service: str
    method: str
    template: str  # /api/v1/stations/{code}
    integers: tuple[str, ...]  # query parameters that are whole numbers
    json_body: bool
    secured: bool  # needs a sign-in or a token

    def path(self, **values: str) -> str:
        filled = {name: quote(values.get(name, FILLS.get(name, "1")), safe="")
                  for name in _names(self.template)}  # fmt: skip
        return self.template.format(**filled)

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.template}"


def _names(template: str) -> list[str]:
    return [part[1:-1] for part in template.split("/") if part.startswith("{")]


def _operations() -> list[Operation]:
    found = []
    for service, build in spec_builders().items():
        if service not in DESCRIBED:
            continue
        for template, item in build()["paths"].items():
            for method, operation in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
                integers = tuple(
                    p["name"] for p in parameters
                    if p.get("in") == "query" and p.get("schema", {}).get("type") == "integer"
                )  # fmt: skip
                content = operation.get("requestBody", {}).get("content", {})
                security = operation.get("security", [{}])
                found.append(Operation(service, method.upper(), template, integers,
                                       "application/json" in content,
                                       {} not in security))  # fmt: skip
    return found


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def send(base_urls, callers, source_address):
    def send_to(operation: Operation, target: str, *, headers=None, body=None, auth=True):
        sent = {"Accept": "application/json", **(headers or {})}
        if auth and operation.service != "intake":
            sent.setdefault("Authorization", callers[operation.service]["Authorization"])
        base_url = base_urls[operation.service]
        answer = wire.send(base_url, source_address, operation.method, target, sent, body)
        assert answer.status < 500, f"{operation} {target}: {answer.status} {answer.body[:300]!r}"
        return answer.status, answer.body

    return send_to


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_control_characters_in_the_address_are_refused_with_400(send, operation):
    for query in ("probe=%00", "probe=a%0Ab", "%00=1", "probe=%1B%5B2J"):
        status, _ = send(operation, f"{operation.path()}?{query}")
        assert status == 400, f"{operation} ?{query}"
    for name in _names(operation.template):
        for bad in ("GGN\x00SADAR", "GGN-SADAR\n", "GGN-SADAR\r\n"):
            status, _ = send(operation, operation.path(**{name: bad}))
            assert status == 400, f"{operation} {name}={bad!r}"


@pytest.mark.parametrize("operation", [o for o in OPERATIONS if o.integers], ids=str)
def test_digits_of_other_scripts_are_a_4xx(send, operation):
    for name in operation.integers:
        for digits in OTHER_DIGITS:
            status, _ = send(operation, f"{operation.path()}?{name}={quote(digits)}")
            assert 400 <= status < 500, f"{operation} {name}={digits}"


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_non_ascii_in_the_authorization_header_is_401_where_a_token_is_needed(send, operation):
    for header in ("Bearer prk_é".encode(), "Bearer é".encode(), "Béarer x".encode("latin-1"),
                   b"Bearer prk_\xff\xfe", "Bearer prk_☃".encode()):  # fmt: skip
        status, _ = send(operation, operation.path(), headers={"Authorization": header})
        if operation.secured:
            assert status == 401, f"{operation} Authorization: {header!r}"


@pytest.mark.parametrize("operation", [o for o in OPERATIONS if o.json_body], ids=str)
def test_json_with_lone_surrogates_or_deep_nesting_is_a_4xx(send, operation):
    for body in (SURROGATE, DEEP, b'{"a": "\\u0000"}'):
        status, _ = send(operation, operation.path(), body=body,
                              headers={"Content-Type": "application/json"})  # fmt: skip
        assert 400 <= status < 500, f"{operation} {body[:40]!r}"


@pytest.mark.parametrize("service", [*DESCRIBED, "ops"])
def test_a_nul_in_a_sign_in_form_is_400_on_every_service(base_urls, source_address, service):
    """A sign-in is looked up and a failed one audited, in PostgreSQL, with the username
    typed: with the form's own nonce (so the sign-in is tried), a NUL there would have been
    the database's error."""
    page = wire.send(base_urls[service], source_address, "GET", "/login", {})
    nonce = re.search(rb'name="csrf_token" value="([^"]+)"', page.body)
    assert nonce is not None
    cookie = page.headers["Set-Cookie"].split(";")[0]
    for fields in ("username=a%00b&password=x", "username=someone&password=a%00b"):
        form = f"{fields}&csrf_token={nonce[1].decode()}".encode()
        answer = wire.send(base_urls[service], source_address, "POST", "/login",
                           {"Content-Type": "application/x-www-form-urlencoded",
                            "Cookie": cookie}, form)  # fmt: skip
        assert answer.status == 400, f"{service} {fields}: {answer.status}"
