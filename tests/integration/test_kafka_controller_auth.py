"""The broker's KRaft controller port answers admin requests (ACLs, SCRAM credentials,
configs: what ``kafka-acls.sh`` or ``kafka-configs.sh --bootstrap-controller`` send, or any
client speaking Kafka's protocol), so it too lets in only a
client that logs in: the broker itself, as ``controller`` (SASL/PLAIN,
KAFKA_CONTROLLER_PASSWORD). On the real broker ./pratikriya up starts.

kafka-python cannot bootstrap from a controller (it asks for metadata, which a controller
does not serve), so these tests speak Kafka's wire protocol over a socket, with
kafka-python's request and response classes: the admin request an intruder would send.
"""

from __future__ import annotations

import pytest

from ops.stack.kafka_users import CONTROLLER, PRINCIPALS, password_key
from tests.kafka_wire import (
    INTRUDER,
    Closed,
    connected,
    describe_acls,
    grant_intruder,
)


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
        assert describe_acls(wire, INTRUDER) == []


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
