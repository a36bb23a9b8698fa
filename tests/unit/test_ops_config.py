"""The operations settings and the install's bootstrap: no servers, just text."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.bootstrap import uv_requirement
from ops.config import DEFAULT_GROUPS, OpsConfig, parse_groups
from shared.config import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_the_watched_groups_are_read_as_group_topic_words_a_group_again_per_topic():
    assert parse_groups("a:t1 b:t2  a:t3") == {"a": ("t1", "t3"), "b": ("t2",)}


def test_a_group_without_its_topic_is_refused_naming_the_setting():
    with pytest.raises(ConfigError, match="OPS_CONSUMER_GROUPS"):
        parse_groups("analytics")


def test_by_default_the_installation_s_two_groups_and_dead_letter_topics_are_watched():
    config = OpsConfig.from_env({"OPS_PORT": "9"})

    assert config.groups == parse_groups(DEFAULT_GROUPS)
    assert config.groups == {"analytics": ("feedback.submitted",), "notifier": ("station.scores",)}
    assert config.dead_letter_topics == ("feedback.dlq", "station.scores.dlq")
    assert config.service_urls["notifier"] == "http://127.0.0.1:8004"


def test_uv_is_installed_from_the_lock_s_own_version_and_hashes():
    requirement = uv_requirement((ROOT / "uv.lock").read_text(encoding="utf-8"))

    assert requirement.startswith("uv==0.13.8 --hash=sha256:")
    assert requirement.count("--hash=sha256:") >= 2


def test_the_lock_keeps_the_test_tools_out_of_the_runtime_dependencies():
    import tomllib

    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    project = next(p for p in lock["package"] if p["name"] == "pratikriya")
    runtime = {d["name"] for d in project["dependencies"]}
    dev = {d["name"] for d in project["dev-dependencies"]["dev"]}
    assert {"flask", "gunicorn", "kafka-python", "fpdf2"} <= runtime
    assert {"pytest", "playwright", "schemathesis", "aiosmtpd", "hypothesis", "mypy"} <= dev
    assert not dev & runtime
