"""The migrate and seed commands on the real PostgreSQL."""

from __future__ import annotations

import pytest

from ops.seeding import seed
from shared import db
from shared.migrate import migrate

pytestmark = pytest.mark.integration


def test_migrating_and_seeding_again_changes_nothing(infra):
    assert migrate(infra["DATABASE_URL"]) == []
    assert seed(infra["DATABASE_URL"]) == (0, 0)


def test_the_registry_holds_gurugrams_stations_and_personal_data_sits_apart(infra):
    with db.connection(infra["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT kind, count(*) FROM stations WHERE code LIKE 'GGN-%' GROUP BY kind")
        kinds = dict(cur.fetchall())
        cur.execute("SELECT name_en, name_hi, zone FROM stations WHERE code = 'GGN-SADAR'")
        sadar = cur.fetchone()
        cur.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_name IN ('feedback', 'feedback_personal')"
        )
        columns = cur.fetchall()
    assert kinds["cyber"] == 4 and kinds["women"] == 3
    assert sum(kinds.values()) >= 42
    assert sadar[0].startswith("Sadar") and "सदर" in sadar[1]
    feedback_columns = {c for t, c in columns if t == "feedback"}
    personal_columns = {c for t, c in columns if t == "feedback_personal"}
    assert not {"name", "mobile"} & feedback_columns
    assert {"name", "mobile", "mobile_hash"} <= personal_columns
