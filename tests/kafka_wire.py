"""Kafka's wire protocol over a plain socket, with kafka-python's request and response
classes: for the KRaft controller port, which kafka-python's clients cannot bootstrap from
(they ask for metadata, which a controller does not serve). The admin requests an intruder
would send, and the SASL/PLAIN login the broker itself uses there."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from contextlib import contextmanager

from kafka.protocol.admin.acl import (
    CreateAclsRequest,
    CreateAclsResponse,
    DescribeAclsRequest,
    DescribeAclsResponse,
)
from kafka.protocol.sasl import (
    SaslAuthenticateRequest,
    SaslAuthenticateResponse,
    SaslHandshakeRequest,
    SaslHandshakeResponse,
)

# Kafka's codes (org.apache.kafka.common.acl and resource): ANY = 1 in each filter.
ANY, TOPIC, LITERAL, ALL, ALLOW = 1, 2, 3, 2, 3
INTRUDER = "User:intruder"


class Closed(Exception):
    """The broker closed the connection instead of answering."""


class Wire:
    """One connection that sends a request and reads its answer, nothing more."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.correlation = sock, 0

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise Closed(f"closed after {len(data)} of {n} bytes")
            data += chunk
        return data

    def ask(self, request, response_class, version: int):
        self.correlation += 1
        request.with_header(correlation_id=self.correlation, client_id="test-controller-auth")
        self.sock.sendall(request.encode(version=version, header=True, framed=True))
        (size,) = struct.unpack(">i", self._read(4))
        return response_class.decode(self._read(size), version=version, header=True)

    def log_in(self, user: str, password: str) -> int:
        """SASL/PLAIN; the error code of the authentication (0: logged in)."""
        shake = self.ask(SaslHandshakeRequest(mechanism="PLAIN"), SaslHandshakeResponse, 1)
        assert shake.error_code == 0, shake
        token = b"\0" + user.encode() + b"\0" + password.encode()
        answer = self.ask(SaslAuthenticateRequest(auth_bytes=token), SaslAuthenticateResponse, 1)
        return answer.error_code


@contextmanager
def connected(address: str) -> Iterator[Wire]:
    host, _, port = address.rpartition(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        yield Wire(sock)


def describe_acls(wire: Wire, principal: str | None = None) -> list[str]:
    """Every ACL's resource name (of ``principal``'s ACLs only, if given), as the controller
    lists them."""
    request = DescribeAclsRequest(
        resource_type_filter=ANY,
        resource_name_filter=None,
        pattern_type_filter=ANY,
        principal_filter=principal,
        host_filter=None,
        operation=ANY,
        permission_type=ANY,
    )
    answer = wire.ask(request, DescribeAclsResponse, 1)
    assert answer.error_code == 0, answer
    return [resource.resource_name for resource in answer.resources]


def grant_intruder(wire: Wire) -> None:
    """What an intruder wants: every right on the feedback topic."""
    creation = CreateAclsRequest.AclCreation(
        resource_type=TOPIC,
        resource_name="feedback.submitted",
        resource_pattern_type=LITERAL,
        principal=INTRUDER,
        host="*",
        operation=ALL,
        permission_type=ALLOW,
    )
    wire.ask(CreateAclsRequest(creations=[creation]), CreateAclsResponse, 1)
