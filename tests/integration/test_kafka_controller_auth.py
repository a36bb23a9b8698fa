"""The broker's KRaft controller port answers admin requests (ACLs, SCRAM credentials,
configs: what ``kafka-configs.sh --bootstrap-controller`` sends), so it too lets in only a
client that logs in: the broker itself, as ``controller`` (SASL/PLAIN,
KAFKA_CONTROLLER_PASSWORD). On the real broker ./pratikriya up starts.

kafka-python cannot bootstrap from a controller (it asks for metadata, which a controller
does not serve), so these tests speak Kafka's wire protocol over a socket, with
kafka-python's request and response classes: the admin request an intruder would send.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
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

from ops.stack.kafka_users import CONTROLLER, PRINCIPALS, password_key

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


def describe_acls(wire: Wire) -> list[str]:
    """Every ACL's resource name, as the controller lists them."""
    request = DescribeAclsRequest(
        resource_type_filter=ANY,
        resource_name_filter=None,
        pattern_type_filter=ANY,
        principal_filter=None,
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


@pytest.fixture(scope="module")
def controller(infra, stack_config) -> str:
    return f"{stack_config.kafka_host}:{stack_config.kafka_controller_port}"


def test_the_broker_itself_logs_in_to_the_controller_and_lists_the_acls(infra, controller):
    """The same requests as below, with the controller's login: they are well formed."""
    with connected(controller) as wire:
        assert wire.log_in(CONTROLLER, infra[password_key(CONTROLLER)]) == 0
        assert "feedback.submitted" in describe_acls(wire)


def test_a_client_without_credentials_cannot_list_the_acls_on_the_controller(controller):
    with connected(controller) as wire, pytest.raises(Closed):
        describe_acls(wire)


def test_a_client_without_credentials_cannot_grant_itself_a_topic_on_the_controller(
    infra, controller
):
    with connected(controller) as wire, pytest.raises(Closed):
        grant_intruder(wire)
    with connected(controller) as wire:
        assert wire.log_in(CONTROLLER, infra[password_key(CONTROLLER)]) == 0
        request = DescribeAclsRequest(
            resource_type_filter=ANY,
            resource_name_filter=None,
            pattern_type_filter=ANY,
            principal_filter=INTRUDER,
            host_filter=None,
            operation=ANY,
            permission_type=ANY,
        )
        assert wire.ask(request, DescribeAclsResponse, 1).resources == []


def test_a_wrong_controller_password_is_refused(infra, controller):
    with connected(controller) as wire:
        assert wire.log_in(CONTROLLER, "not-" + infra[password_key(CONTROLLER)]) != 0


@pytest.mark.parametrize("user", sorted(PRINCIPALS))
def test_a_service_users_password_does_not_open_the_controller(infra, controller, user):
    """PLAIN on the controller knows only the broker's own user, not the services'."""
    with connected(controller) as wire:
        assert wire.log_in(user, infra[password_key(user)]) != 0


def test_a_client_without_credentials_cannot_list_the_acls_on_the_client_port(infra):
    with connected(infra["KAFKA_BOOTSTRAP_SERVERS"]) as wire, pytest.raises(Closed):
        describe_acls(wire)
