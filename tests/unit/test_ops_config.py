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


def _hosts_and_ports(urls):
    from urllib.parse import urlsplit

    return {(urlsplit(u).hostname, urlsplit(u).port) for u in urls}


def test_every_url_up_prints_is_on_the_host_of_the_login_cookie():
    from ops.cli import police_pages, sadar_poster_url, service_urls

    env = {"PUBLIC_BASE_URL": "http://127.0.0.1:18001", "QR_PORT": "18002",
           "ANALYTICS_PORT": "18003", "NOTIFIER_PORT": "18004", "OPS_PORT": "18005"}  # fmt: skip
    urls = [*service_urls(env).values(), *(url for _, url in police_pages(env)),
            sadar_poster_url(env)]  # fmt: skip

    assert {host for host, _ in _hosts_and_ports(urls)} == {"127.0.0.1"}
    assert service_urls(env) == {
        "intake": "http://127.0.0.1:18001", "qr": "http://127.0.0.1:18002",
        "analytics": "http://127.0.0.1:18003", "notifier": "http://127.0.0.1:18004",
        "ops": "http://127.0.0.1:18005",
    }  # fmt: skip
    assert sadar_poster_url(env) == "http://127.0.0.1:18002/api/v1/stations/GGN-SADAR/poster.pdf"


def test_behind_one_https_host_the_printed_urls_are_the_proxy_s():
    from ops.cli import police_pages, service_urls

    env = {"PUBLIC_BASE_URL": "https://pratikriya.example.in/",
           "ANALYTICS_URL": "https://pratikriya.example.in:8443",
           "QR_URL": "https://pratikriya.example.in:8444/"}  # fmt: skip
    urls = service_urls(env)
    pages = dict(police_pages(env))

    assert urls["intake"] == "https://pratikriya.example.in"
    assert urls["qr"] == "https://pratikriya.example.in:8444"
    assert pages["Commissioner's dashboard"] == "https://pratikriya.example.in:8443/"
    assert {host for host, _ in _hosts_and_ports(urls.values())} == {"pratikriya.example.in"}


def test_the_run_command_gives_the_services_a_public_base_url_from_intake_s_port(monkeypatch):
    from ops.cli import service_env
    from ops.stack import StackConfig

    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("INTAKE_PORT", "9101")
    env = service_env(StackConfig.from_env())

    assert env["PUBLIC_BASE_URL"] == "http://localhost:9101"


def test_the_first_admin_s_password_is_printed_alone_on_its_line():
    from ops.cli import first_admin_lines

    made = first_admin_lines("abcd-efgh-jkmn-pqrs")
    assert made[-1].strip() == "abcd-efgh-jkmn-pqrs"
    again = " ".join(first_admin_lines(None))
    assert "./pratikriya accounts reset admin" in again and "abcd" not in again


def test_the_operations_page_asks_readiness_inside_the_installation_not_at_the_browser_s_url():
    config = OpsConfig.from_env({
        "QR_URL": "https://pratikriya.example.in:8444", "QR_INTERNAL_URL": "http://qr:8002",
        "ANALYTICS_URL": "https://pratikriya.example.in:8443", "OPS_READYZ_TOKEN": "prk_ops",
    })  # fmt: skip

    assert config.service_urls["qr"] == "http://qr:8002"
    assert config.service_urls["analytics"] == "http://127.0.0.1:8003"
    assert config.readyz_token == "prk_ops"
