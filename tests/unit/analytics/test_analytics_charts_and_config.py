"""Server-side SVG charts, and analytics' settings."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # parses only our own markup

import pytest

from services.analytics.charts import line_chart
from services.analytics.config import AnalyticsConfig
from shared.config import ConfigError

SVG = "{http://www.w3.org/2000/svg}"


def test_a_chart_is_valid_svg_with_a_dot_per_value_and_breaks_where_a_day_has_none():
    labels = [f"2026-03-{d:02d}" for d in range(1, 8)]
    svg = line_chart("Low <ratings>", labels, [0.5, 0.25, None, 1, 0, None, 0.75],
                     low=0, high=1, ticks=(0, 0.5, 1), tick_format="{:.0%}")  # fmt: skip
    root = ET.fromstring(svg)  # noqa: S314 - our own markup
    assert len(root.findall(f"{SVG}circle")) == 5
    assert len(root.findall(f"{SVG}polyline")) == 2  # two runs of two or more days
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Low <ratings>" in texts and "50%" in texts


def test_higher_values_are_drawn_higher_up():
    markup = line_chart("r", ["2026-01-01", "2026-01-02"], [1, 5], low=1, high=5, ticks=(1, 5))
    svg = ET.fromstring(markup)  # noqa: S314 - our own markup
    low, high = (float(c.get("cy")) for c in svg.findall(f"{SVG}circle"))
    assert high < low


def test_a_chart_without_data_says_so_in_both_languages():
    svg = line_chart("r", ["2026-01-01"], [None], low=1, high=5, ticks=(1, 5))
    assert "No feedback yet" in svg and "कोई प्रतिक्रिया नहीं" in svg


def test_settings_come_from_the_environment_with_local_defaults():
    config = AnalyticsConfig.from_env({"ANALYTICS_PORT": "9003",
                                       "ANALYTICS_RANKING_MIN_COUNT": "25"})  # fmt: skip
    assert config.port == 9003 and config.ranking_min_count == 25
    assert config.group_id == "analytics" and config.feedback_topic == "feedback.submitted"
    assert AnalyticsConfig.from_env({}).batch_max_events == 2000
    with pytest.raises(ConfigError):
        AnalyticsConfig.from_env({"ANALYTICS_BATCH_MAX_SECONDS": "soon"})
