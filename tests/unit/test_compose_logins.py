"""docker-compose.yml gives each container the logins ./pratikriya up gives its process:
its own Kafka user (ops/services.py KAFKA_USERS) and its own database role (the db_role of
ops/services.py), no other login's password; the setup container makes the users, ACLs
and roles from the same definitions; .env's secrets are generated and documented."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from ops import compose_secrets, db_roles, services
from ops.stack import kafka_users

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
DOCKER_README = REPO / "deploy" / "docker" / "README.md"
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?]([^}]*))?\}")
ENV = dict(
    line.split("=", 1) for line in compose_secrets.completed([]) if "=" in line
)  # one generated .env for the whole module


def interpolate(value, env: dict[str, str]):
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} over ``value``, as `config` does."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        name, rest = match.group(1), match.group(2)
        if env.get(name):
            return env[name]
        if ":?" in match.group(0):
            raise KeyError(f"{name} is required: {rest}")
        return rest or ""

    return VARIABLE.sub(one, value)


@pytest.fixture(scope="module")
def compose() -> dict:
    return interpolate(yaml.safe_load(COMPOSE.read_text()), ENV)


def environment(compose: dict, name: str) -> dict[str, str]:
    env = compose["services"][name]["environment"]
    return {key: "" if value is None else str(value) for key, value in env.items()}


PROCESSES = {**services.SERVICES, **services.WORKERS}
KAFKA_SECRETS = set(kafka_users.SECRET_KEYS)
DB_SECRETS = {db_roles.password_key(role) for role in db_roles.SERVICE_ROLES}
OWNER_AND_SUPERUSER = {"PRATIKRIYA_DB_PASSWORD", "POSTGRES_SUPERUSER_PASSWORD"}


def test_every_required_variable_is_one_that_the_generator_writes():
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", COMPOSE.read_text()))
    assert required == set(compose_secrets.SECRETS)


@pytest.mark.parametrize("name", sorted(PROCESSES))
def test_each_process_logs_in_to_kafka_as_its_own_user(compose, name):
    env = environment(compose, name)
    user = services.KAFKA_USERS[name]
    assert env["KAFKA_SASL_USERNAME"] == user
    assert env["KAFKA_SASL_PASSWORD"] == ENV[kafka_users.password_key(user)]
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"


@pytest.mark.parametrize("name", sorted(PROCESSES))
def test_each_process_connects_to_the_database_as_its_own_role(compose, name):
    url = urlsplit(environment(compose, name)["DATABASE_URL"])
    role = PROCESSES[name].db_role
    assert (url.username, unquote(url.password or "")) == (role, ENV[db_roles.password_key(role)])
    assert (url.hostname, url.port, url.path) == ("postgres", 5432, "/pratikriya")


@pytest.mark.parametrize("name", sorted(PROCESSES))
def test_no_process_holds_another_login_or_the_owners(compose, name):
    env = environment(compose, name)
    own = {
        ENV[kafka_users.password_key(services.KAFKA_USERS[name])],
        ENV[db_roles.password_key(PROCESSES[name].db_role)],
    }
    others = {
        ENV[key] for key in KAFKA_SECRETS | DB_SECRETS | OWNER_AND_SUPERUSER
    } - own  # fmt: skip
    assert not any(secret in value for value in env.values() for secret in others)
    assert not set(env) & (KAFKA_SECRETS | DB_SECRETS | OWNER_AND_SUPERUSER)


@pytest.mark.parametrize("name", sorted(PROCESSES))
def test_only_the_consumer_holds_the_private_sealing_keys(compose, name):
    holds = ENV["ANALYTICS_SEAL_KEYS"] in environment(compose, name).values()
    assert holds == (services.HELD_BY["ANALYTICS_SEAL_KEYS"] == name)


@pytest.mark.parametrize("name", sorted(PROCESSES))
def test_each_process_starts_after_setup_and_healthy_servers(compose, name):
    after = compose["services"][name]["depends_on"]
    assert after["setup"]["condition"] == "service_completed_successfully"
    assert after["kafka"]["condition"] == "service_healthy"
    assert after["postgres"]["condition"] == "service_healthy"


def test_setup_is_kafkas_admin_and_sets_every_service_users_password(compose):
    env = environment(compose, "setup")
    assert env["KAFKA_SASL_USERNAME"] == kafka_users.ADMIN
    assert env["KAFKA_SASL_PASSWORD"] == ENV[kafka_users.password_key(kafka_users.ADMIN)]
    for user in (kafka_users.ADMIN, *kafka_users.PRINCIPALS):
        assert env[kafka_users.password_key(user)] == ENV[kafka_users.password_key(user)]
    assert kafka_users.password_key(kafka_users.CONTROLLER) not in env


def test_setup_migrates_as_the_owner_and_makes_the_roles_as_the_superuser(compose):
    env = environment(compose, "setup")
    url = urlsplit(env["DATABASE_URL"])
    assert (url.username, url.password) == ("pratikriya", ENV["PRATIKRIYA_DB_PASSWORD"])
    assert env["POSTGRES_SUPERUSER_PASSWORD"] == ENV["POSTGRES_SUPERUSER_PASSWORD"]
    for key in DB_SECRETS:
        assert env[key] == ENV[key]


def test_the_setup_script_reads_what_setup_is_given(compose):
    """Every setting deploy/docker/setup.py requires by name is in setup's environment."""
    env = environment(compose, "setup")
    read = set(
        re.findall(r'_required\("([A-Z0-9_]+)"', (REPO / "deploy/docker/setup.py").read_text())
    )
    assert read <= set(env)


def test_kafkas_container_has_the_super_users_passwords_and_no_other(compose):
    kafka = compose["services"]["kafka"]
    env = environment(compose, "kafka")
    assert env["KAFKA_ADMIN_PASSWORD"] == ENV["KAFKA_ADMIN_PASSWORD"]
    assert env["KAFKA_CONTROLLER_PASSWORD"] == ENV["KAFKA_CONTROLLER_PASSWORD"]
    others = (KAFKA_SECRETS | DB_SECRETS) - {"KAFKA_ADMIN_PASSWORD", "KAFKA_CONTROLLER_PASSWORD"}
    assert not set(env) & others
    assert kafka["entrypoint"] == ["/bin/sh", "/etc/pratikriya/kafka-start.sh"]
    assert "./deploy/docker/kafka-start.sh:/etc/pratikriya/kafka-start.sh:ro" in kafka["volumes"]


def test_only_the_host_listener_is_published_and_on_loopback_only(compose):
    assert compose["services"]["kafka"]["ports"] == ["127.0.0.1:9092:29092"]


def test_the_kafka_healthcheck_logs_in(compose):
    check = " ".join(compose["services"]["kafka"]["healthcheck"]["test"])
    assert "--command-config /opt/kafka/config/pratikriya-admin.properties" in check


def test_the_generated_passwords_fit_urls_and_the_kafka_start_script():
    """kafka-start.sh takes letters, digits and _ . ~ - only, of 16 characters or more."""
    for key in KAFKA_SECRETS | DB_SECRETS | OWNER_AND_SUPERUSER:
        assert re.fullmatch(r"[A-Za-z0-9_.~-]{16,}", ENV[key]), key


def test_the_generator_keeps_what_is_set_and_fills_what_is_empty():
    lines = ["PUBLIC_BASE_URL=https://pratikriya.example.in", "QR_SIGNING_KEY=kept-" + "x" * 20]
    lines.append("KAFKA_OPS_PASSWORD=")
    out = compose_secrets.completed(lines)
    assert out[:2] == lines[:2]
    values = dict(line.split("=", 1) for line in out)
    assert len(values) == len(out)  # each key once
    assert len(values["KAFKA_OPS_PASSWORD"]) >= 16
    assert values["ADMIN_TOKEN"].startswith("prk_")
    assert set(compose_secrets.SECRETS) <= set(values)


def test_the_docker_readme_documents_every_secret():
    text = DOCKER_README.read_text()
    table = text.split("| variable | used by |", 1)[1].split("\n\n", 1)[0]
    for key in compose_secrets.SECRETS:
        assert f"`{key}`" in table, key
