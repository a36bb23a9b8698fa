"""docker-compose.yml runs as many members of each consumer group as ./pratikriya up does:
the same setting (ops/services.py ``members_env``), one by default, and nothing in the
worker's container that two copies of it could not share."""

from __future__ import annotations

import pytest
import yaml

from ops import services
from tests.unit.test_compose_logins import COMPOSE, ENV, interpolate

WORKERS = sorted(services.WORKERS)


def compose_with(**settings: str) -> dict:
    return interpolate(yaml.safe_load(COMPOSE.read_text()), {**ENV, **settings})


@pytest.mark.parametrize("name", WORKERS)
def test_each_worker_runs_one_member_unless_told(name):
    assert str(compose_with()["services"][name]["deploy"]["replicas"]) == "1"


@pytest.mark.parametrize("name", WORKERS)
def test_the_members_setting_of_ops_sets_the_containers_replicas(name):
    setting = services.WORKERS[name].members_env
    assert setting is not None

    scaled = compose_with(**{setting: "3"})["services"][name]

    assert str(scaled["deploy"]["replicas"]) == "3"


@pytest.mark.parametrize("name", WORKERS)
def test_a_scaled_worker_has_no_fixed_name_or_port_its_copies_would_fight_over(name):
    worker = compose_with()["services"][name]
    assert "container_name" not in worker
    assert "ports" not in worker


def test_the_setting_is_one_each_and_the_others_replicas_stay_at_one():
    scaled = compose_with(ANALYTICS_CONSUMERS="4")["services"]
    assert str(scaled["analytics-consumer"]["deploy"]["replicas"]) == "4"
    assert str(scaled["notifier-worker"]["deploy"]["replicas"]) == "1"
