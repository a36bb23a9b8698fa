"""Fixtures for the QR service on the real servers: the app in-process, an admin API token
of its own, a zone of its own, a tail of the stations topic, and the running services."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.qr.support import admin_token as new_admin_token
from tests.integration.qr.support import start_services


@pytest.fixture(scope="session")
def qr_config(infra):
    from services.qr.config import QrConfig

    return QrConfig.from_env(infra)


@pytest.fixture
def qr_app(qr_config):
    from services.qr.entrypoints.http import create_app

    app = create_app(qr_config)
    yield app
    app.extensions["qr"].publisher.close()


@pytest.fixture
def qr_client(qr_app):
    return qr_app.test_client()


@pytest.fixture(scope="session")
def admin_token(infra) -> str:
    """An ``admin`` API token, made as ``./pratikriya tokens add --role admin`` makes one."""
    return new_admin_token(infra["DATABASE_URL"], f"tests {uuid.uuid4().hex[:6]}")[1]


@pytest.fixture
def auth(admin_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_token}"}


@pytest.fixture
def zone(infra) -> str:
    """A zone of this test's own, with escalation contacts."""
    from shared import db

    code = f"Z{uuid.uuid4().hex[:10]}"
    with db.connection(infra["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO zones (code, name_en, name_hi, acp_name, acp_mobile, acp_email,"
            " dcp_name, dcp_mobile, dcp_email) VALUES (%s, %s, 'परीक्षण क्षेत्र', 'ACP Test',"
            " '+919000000201', 'acp@example.invalid', 'DCP Test', '+919000000211',"
            " 'dcp@example.invalid')",
            (code, f"Zone {code}"),
        )
    return code


@pytest.fixture
def stations_tail(infra):
    from tests.support import TopicTail

    tail = TopicTail(infra["KAFKA_BOOTSTRAP_SERVERS"], "stations")
    yield tail
    tail.close()


@pytest.fixture(scope="session")
def running(stack_config, infra) -> dict[str, str]:
    return start_services(stack_config, infra)
