"""ops/services.py's members of a consumer worker: how many the setting asks for, their
names, pid files and logs, found again by ``down`` and ``status`` whatever the setting
says now."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ops import services, stack


@pytest.fixture
def cfg(tmp_path: Path) -> stack.StackConfig:
    (tmp_path / "run").mkdir()
    return replace(stack.StackConfig.from_env({}), data_dir=tmp_path)


def test_one_member_unless_the_setting_says_more():
    worker = services.WORKERS["analytics-consumer"]
    assert worker.members({}) == 1
    assert worker.members({"ANALYTICS_CONSUMERS": ""}) == 1
    assert worker.members({"ANALYTICS_CONSUMERS": "4"}) == 4
    assert services.WORKERS["notifier-worker"].members({"NOTIFIER_CONSUMERS": "2"}) == 2
    assert services.WORKERS["notifier-worker"].members({"ANALYTICS_CONSUMERS": "2"}) == 1


@pytest.mark.parametrize("raw", ["0", "-1", "two", "1.5", "65"])
def test_a_members_setting_that_is_not_a_whole_number_from_1_to_64_is_refused(raw):
    with pytest.raises(stack.StackError, match="ANALYTICS_CONSUMERS"):
        services.WORKERS["analytics-consumer"].members({"ANALYTICS_CONSUMERS": raw})


def test_the_first_member_keeps_the_workers_name_and_the_others_are_numbered():
    worker = services.WORKERS["analytics-consumer"]
    names = [services.Member(worker, n).name for n in (1, 2, 3)]
    assert names == ["analytics-consumer", "analytics-consumer-2", "analytics-consumer-3"]


def test_members_are_found_by_their_pid_files_and_no_other_workers(cfg):
    run = cfg.data_dir / "run"
    for name in ("analytics-consumer", "analytics-consumer-2", "analytics-consumer-5",
                 "notifier-worker", "analytics-consumer-x"):  # fmt: skip
        (run / f"{name}.pid").write_text("999999999\n")

    found = services.running_members(cfg, "analytics-consumer")

    assert [m.number for m in found] == [1, 2, 5]


def test_status_lists_the_members_asked_for_and_any_left_from_an_earlier_start(cfg):
    (cfg.data_dir / "run" / "analytics-consumer-3.pid").write_text("999999999\n")

    status = services.members_status(cfg, "analytics-consumer", {"ANALYTICS_CONSUMERS": "2"})

    # None of them runs (no such pid): each is shown, stopped.
    assert status == {
        "analytics-consumer": False, "analytics-consumer-2": False, "analytics-consumer-3": False,
    }  # fmt: skip
