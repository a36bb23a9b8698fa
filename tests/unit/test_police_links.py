"""The police bar: each role sees a link to each page it may open, and none it may not."""

from __future__ import annotations

from shared.auth.links import PoliceLinks
from shared.auth.roles import Principal, Role

LINKS = PoliceLinks()


def labels(role: Role, **scope: str) -> set[str]:
    principal = Principal(kind="account", id=1, name="someone", role=role, **scope)
    return {label.split(" · ")[1] for label, _ in LINKS.nav(principal)}


def test_the_commissioner_s_bar_has_the_inbox_the_directions_the_digest_and_the_audit_log():
    assert labels(Role.COMMISSIONER) == {
        "Scores", "Inbox", "Alerts", "Directions", "Digest", "Audit log",
    }  # fmt: skip


def test_a_dcp_gets_the_digest_of_their_zone_but_no_audit_log():
    assert labels(Role.DCP, zone="East") == {"Scores", "Inbox", "Alerts", "Directions", "Digest"}


def test_an_sho_gets_the_inbox_and_the_directions_but_no_digest():
    assert labels(Role.SHO, station_code="GGN-SADAR") == {
        "Scores", "Inbox", "Alerts", "Directions",
    }  # fmt: skip


def test_admin_and_ops_get_no_page_of_feedback():
    feedback_pages = {"Scores", "Inbox", "Alerts", "Directions", "Digest"}
    assert not labels(Role.ADMIN) & feedback_pages
    assert not labels(Role.OPS) & feedback_pages
    assert "Officers' names" in labels(Role.ADMIN)
