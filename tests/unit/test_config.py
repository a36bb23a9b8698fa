"""Settings read from an environment mapping: typed, checked, and naming what is wrong."""

import dataclasses
import secrets

import pytest

from services.intake.config import IntakeConfig
from shared.config import (
    DEFAULT_DATABASE_URL,
    DEFAULT_KAFKA,
    DEFAULT_REDIS_URL,
    ConfigError,
    Connections,
    Env,
)
from shared.sealing import generate


def a_secret() -> str:
    return secrets.token_urlsafe(24)


SEAL_KEYS = generate("k1")


def an_intake_env(**values: str) -> dict[str, str]:
    return {
        "QR_SIGNING_KEY": a_secret(), "MOBILE_HASH_KEY": a_secret(),
        "INTAKE_SEAL_PUBLIC_KEY": SEAL_KEYS.public, **values,
    }  # fmt: skip


def test_a_set_string_is_read_without_surrounding_spaces() -> None:
    assert (
        Env({"PUBLIC_BASE_URL": "  https://feedback.example.invalid \n"}).str("PUBLIC_BASE_URL")
        == "https://feedback.example.invalid"
    )


def test_a_missing_or_blank_string_takes_its_default() -> None:
    assert Env({}).str("LOG_LEVEL", "INFO") == "INFO"
    assert Env({"LOG_LEVEL": "   "}).str("LOG_LEVEL", "INFO") == "INFO"


def test_a_missing_required_string_is_an_error_that_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="ADMIN_TOKEN"):
        Env({}).str("ADMIN_TOKEN")


def test_whole_numbers_are_read_and_default_when_blank() -> None:
    env = Env({"INTAKE_PORT": " 9001 ", "BLANK": ""})

    assert env.int("INTAKE_PORT", 8001) == 9001
    assert env.int("BLANK", 8001) == 8001
    assert env.int("MISSING", 8001) == 8001


@pytest.mark.parametrize("raw", ["eighty", "80.5", "8001s"])
def test_a_malformed_whole_number_is_an_error_that_names_the_variable_and_value(raw: str) -> None:
    with pytest.raises(ConfigError, match="INTAKE_PORT") as caught:
        Env({"INTAKE_PORT": raw}).int("INTAKE_PORT", 8001)

    assert raw in str(caught.value)


def test_numbers_with_a_fraction_are_read_and_default_when_blank() -> None:
    env = Env({"TIMEOUT": "2.5"})

    assert env.float("TIMEOUT", 1.0) == 2.5
    assert env.float("MISSING", 1.0) == 1.0
    with pytest.raises(ConfigError, match="TIMEOUT"):
        Env({"TIMEOUT": "two"}).float("TIMEOUT", 1.0)


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " On "])
def test_the_usual_words_for_true_are_true(raw: str) -> None:
    assert Env({"FLAG": raw}).bool("FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "no", "off"])
def test_the_usual_words_for_false_are_false(raw: str) -> None:
    assert Env({"FLAG": raw}).bool("FLAG", True) is False


def test_a_missing_flag_takes_its_default_and_a_word_that_is_neither_is_an_error() -> None:
    assert Env({}).bool("FLAG", True) is True
    with pytest.raises(ConfigError, match="FLAG"):
        Env({"FLAG": "maybe"}).bool("FLAG", False)


def test_a_secret_of_16_characters_or_more_is_returned_as_bytes() -> None:
    assert Env({"KEY": "0123456789abcdef"}).secret("KEY") == b"0123456789abcdef"


@pytest.mark.parametrize("raw", [None, "", "   ", "0123456789abcde"])
def test_a_missing_or_short_secret_is_an_error_that_names_the_variable(raw: str | None) -> None:
    values = {} if raw is None else {"QR_SIGNING_KEY": raw}

    with pytest.raises(ConfigError, match=r"QR_SIGNING_KEY.*16 characters"):
        Env(values).secret("QR_SIGNING_KEY")


def test_a_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)


def test_connections_default_to_the_local_servers() -> None:
    connections = Connections.from_env(Env({}))

    assert connections.kafka_bootstrap_servers == DEFAULT_KAFKA == "127.0.0.1:9092"
    assert connections.database_url == DEFAULT_DATABASE_URL
    assert ":5432/" in connections.database_url
    assert connections.redis_url == DEFAULT_REDIS_URL
    assert ":6379/" in connections.redis_url


def test_connections_can_point_elsewhere() -> None:
    connections = Connections.from_env(
        Env({"KAFKA_BOOTSTRAP_SERVERS": "kafka:19092", "REDIS_URL": "redis://cache:6380/1"})
    )

    assert connections.kafka_bootstrap_servers == "kafka:19092"
    assert connections.redis_url == "redis://cache:6380/1"


def test_intake_needs_only_its_three_keys_and_takes_the_documented_defaults() -> None:
    env = an_intake_env()

    config = IntakeConfig.from_env(env)

    assert config.qr_signing_key == env["QR_SIGNING_KEY"].encode()
    assert config.mobile_hash_key == env["MOBILE_HASH_KEY"].encode()
    assert config.seal_public_key == SEAL_KEYS.public
    assert config.port == 8001
    assert config.public_base_url == "http://localhost:8001"
    assert config.limit_per_mobile_per_station_per_day == 3
    assert config.limit_per_address_per_hour == 300
    assert config.trusted_proxies == 0
    assert config.retention_days == 180
    assert config.publish_timeout_s == 2.0
    assert config.connections == Connections()


def test_intake_settings_are_read_from_their_variables() -> None:
    config = IntakeConfig.from_env(
        an_intake_env(
            INTAKE_PORT="9101",
            PUBLIC_BASE_URL="https://feedback.example.invalid/",
            INTAKE_PUBLISH_TIMEOUT_S="0.5",
            INTAKE_LIMIT_PER_MOBILE_PER_DAY="1",
            INTAKE_TRUSTED_PROXIES="1",
            PERSONAL_DATA_RETENTION_DAYS="90",
            DATABASE_URL="postgresql://app@db.example.invalid/pratikriya",
        )
    )

    assert config.port == 9101
    assert config.public_base_url == "https://feedback.example.invalid"
    assert config.publish_timeout_s == 0.5
    assert config.limit_per_mobile_per_station_per_day == 1
    assert config.trusted_proxies == 1
    assert config.retention_days == 90
    assert config.connections.database_url == "postgresql://app@db.example.invalid/pratikriya"


def test_overrides_win_over_the_environment() -> None:
    config = IntakeConfig.from_env(an_intake_env(INTAKE_PORT="9101"), port=0, retry_after_s=1)

    assert config.port == 0
    assert config.retry_after_s == 1


@pytest.mark.parametrize("missing", ["QR_SIGNING_KEY", "MOBILE_HASH_KEY", "INTAKE_SEAL_PUBLIC_KEY"])
def test_intake_refuses_to_start_without_each_key(missing: str) -> None:
    env = an_intake_env()
    del env[missing]

    with pytest.raises(ConfigError, match=missing):
        IntakeConfig.from_env(env)


@pytest.mark.parametrize("setting", ["k1", "k1:AAAA", SEAL_KEYS.public.replace(":", ";")])
def test_intake_refuses_a_seal_key_it_cannot_seal_with(setting: str) -> None:
    with pytest.raises(ConfigError, match="INTAKE_SEAL_PUBLIC_KEY"):
        IntakeConfig.from_env(an_intake_env(INTAKE_SEAL_PUBLIC_KEY=setting))


def test_intake_refuses_a_short_signing_key() -> None:
    with pytest.raises(ConfigError, match="QR_SIGNING_KEY"):
        IntakeConfig.from_env(an_intake_env(QR_SIGNING_KEY="short"))


def test_a_malformed_intake_number_is_an_error_that_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="INTAKE_LIMIT_PER_MOBILE_PER_DAY"):
        IntakeConfig.from_env(an_intake_env(INTAKE_LIMIT_PER_MOBILE_PER_DAY="three"))


def test_an_intake_config_cannot_be_changed_once_read() -> None:
    config = IntakeConfig.from_env(an_intake_env())

    with pytest.raises(dataclasses.FrozenInstanceError):
        config.port = 1  # type: ignore[misc]
