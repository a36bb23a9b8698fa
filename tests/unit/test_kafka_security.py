"""The one place every Kafka client takes its login from, and what each service process gets."""

from __future__ import annotations

import pytest

from ops import db_roles, services
from ops.stack.config import StackError
from ops.stack.kafka_users import CONTROLLER, LOGINS, PRINCIPALS, login_env, password_key
from shared.kafka_io import kafka_security


def test_without_a_user_name_a_client_does_not_log_in():
    assert kafka_security({"KAFKA_SASL_PASSWORD": "ignored"}) == {}


def test_a_user_name_logs_in_with_scram_on_sasl_plaintext_unless_told_otherwise():
    login = {"KAFKA_SASL_USERNAME": "intake", "KAFKA_SASL_PASSWORD": "pw"}
    assert kafka_security(login) == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "intake",
        "sasl_plain_password": "pw",
    }
    over_tls = kafka_security({**login, "KAFKA_SECURITY_PROTOCOL": "SASL_SSL"})
    assert over_tls["security_protocol"] == "SASL_SSL"


def test_each_process_gets_its_own_login_and_no_other_password():
    env = {password_key(user): f"pw-{user}" for user in ("admin", *PRINCIPALS)}
    env |= {"KAFKA_SASL_USERNAME": "admin", "KAFKA_SASL_PASSWORD": "pw-admin", "OTHER": "x"}
    child = login_env(env, services.KAFKA_USERS["analytics-consumer"])
    assert kafka_security(child)["sasl_plain_username"] == "analytics"
    assert child["KAFKA_SASL_PASSWORD"] == "pw-analytics"
    assert "pw-admin" not in child.values() and "pw-intake" not in child.values()
    assert child["OTHER"] == "x"


def test_a_process_whose_password_is_unknown_is_not_started_with_the_callers_login():
    """Nor without a login: the broker would refuse it at every attempt, for ever."""
    env = {"KAFKA_SASL_USERNAME": "admin", "KAFKA_SASL_PASSWORD": "pw-admin"}
    with pytest.raises(StackError, match="KAFKA_INTAKE_PASSWORD"):
        login_env(env, "intake")


def test_a_process_gets_no_database_password_but_its_own_roles_url():
    env = {db_roles.password_key(role): f"pw-{role}" for role in db_roles.SERVICE_ROLES}
    env["DATABASE_URL"] = "postgresql://pratikriya:owner@127.0.0.1:5432/pratikriya"
    intake = services.SERVICES["intake"]

    child = services.process_env(env, intake)

    assert not any(key.endswith("_DB_PASSWORD") for key in child)
    assert child["DATABASE_URL"] == (
        f"postgresql://{intake.db_role}:pw-{intake.db_role}@127.0.0.1:5432/pratikriya"
    )


def test_every_service_and_worker_has_a_kafka_user():
    for name in (*services.SERVICES, *services.WORKERS):
        assert services.KAFKA_USERS[name] in PRINCIPALS


def test_no_process_gets_the_controllers_password():
    """It opens the controller port, which answers admin requests: the broker's alone."""
    env = {password_key(user): f"pw-{user}" for user in LOGINS}
    for name in (*services.SERVICES, *services.WORKERS):
        child = login_env(env, services.KAFKA_USERS[name])
        assert password_key(CONTROLLER) not in child
        assert f"pw-{CONTROLLER}" not in child.values()
