"""Analytics' HTTP app over fakes (no sockets): three stations in two zones, a little
feedback, the in-memory gate, and signed-in test clients of any role."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from flask import Flask
from flask.testing import FlaskClient

from services.analytics.config import AnalyticsConfig
from services.analytics.domain import RankingPolicy
from services.analytics.entrypoints.http import Deps, create_app
from services.analytics.usecases.reads import ReadDeps
from shared.auth import Gate, Role
from shared.auth import accounts as usecases
from shared.auth.accounts import Actor
from shared.auth.credentials import hash_password
from shared.scores import WindowStats
from tests.auth_fake import bearer, memory_gate, token_for
from tests.unit.analytics.read_fakes import FakeIdentities, FakeInbox, FakeReads, FakeScores

PASSWORD = "a-long-test-passphrase-42"
# GGN-A and GGN-B in the East zone, GGN-C in the West.
STATIONS = {"GGN-A": "East", "GGN-B": "East", "GGN-C": "West"}
VISITOR_NAME = "Sunita Devi"
VISITOR_MOBILE = "+919812345678"


@dataclass
class World:
    app: Flask
    gate: Gate
    reads: FakeReads
    scores: FakeScores
    identities: FakeIdentities
    events: dict[str, UUID] = field(default_factory=dict)  # station code -> its feedback

    def token(self, role: Role, **scope: str) -> dict[str, str]:
        return bearer(token_for(self.gate, role, **scope))

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def signed_in(self, role: Role, **scope: str) -> tuple[FlaskClient, str]:
        """A test client signed in through /login as a new account of ``role`` (password
        already chosen), and the CSRF token its forms carry."""
        username = f"t.{role.value.replace('_', '')}.{uuid.uuid4().hex[:6]}"
        account, _ = usecases.add_account(self.gate.store, Actor.cli(), username, role, **scope)
        self.gate.store.set_password(account.id, hash_password(PASSWORD), must_change=False)
        client = self.client()
        login = client.get("/login").get_data(as_text=True)
        answer = client.post("/login", data={
            "username": username, "password": PASSWORD, "csrf_token": _csrf(login),
        })  # fmt: skip
        assert answer.status_code == 303, answer.get_data(as_text=True)
        return client, _csrf(client.get("/account/password").get_data(as_text=True))

    def audit_lines(self, action: str) -> list[Any]:
        return [r.entry for r in self.gate.store.audit_records(1000, action=action)]


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token in the page"
    return found[1]


def build_world(comments: str = "थाने में अच्छा व्यवहार · polite staff", **feedback: Any) -> World:
    """The app with one feedback (with ``comments``) at each station and its visitor's
    name and mobile kept; scores for each station."""
    reads, scores = FakeReads(), FakeScores()
    identities = FakeIdentities(reads)
    events = {}
    for n, (code, zone) in enumerate(STATIONS.items()):
        reads.add_station(code, zone)
        event_id = uuid.uuid4()
        events[code] = event_id
        reads.feedback.append({
            "event_id": event_id, "station_code": code, "day": datetime.now(UTC).date(),
            "rating": 2 + n, "problem_resolved": bool(n % 2), "complaint_type": "theft",
            "comments": f"{comments} ({code})", "officer_name": None,
            "submitted_at": datetime(2026, 11, 20, 6, n, tzinfo=UTC), **feedback,
        })  # fmt: skip
        identities.keep(event_id, VISITOR_NAME, VISITOR_MOBILE)
        scores.put(code, "30d", WindowStats(count=5 + n, rating_sum=(5 + n) * (2 + n)))
    gate = memory_gate()
    deps = Deps(
        ReadDeps(reads, scores, RankingPolicy(prior_weight=1, min_count=1), identities),
        FakeInbox(),
    )
    app = create_app(AnalyticsConfig.from_env({}), deps=deps, gate=gate)
    return World(app, gate, reads, scores, identities, events)


def station_codes(html: str) -> set[str]:
    """The stations a dashboard lists."""
    return set(re.findall(r'data-station="([^"]+)"', html))
