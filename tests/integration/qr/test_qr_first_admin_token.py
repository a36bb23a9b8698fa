"""The installation's first admin API token, as ``./pratikriya up`` makes and prints it
(``services.qr.cli.ensure_admin_token``): an ``admin`` token in ``api_tokens`` that the
registry API accepts; registering it again changes nothing, and a revoked one stays
revoked."""

from __future__ import annotations

import pytest

from services.qr.cli import ensure_admin_token
from shared.auth import credentials
from tests.integration.qr.support import revoke_token, token_id_of
from tests.police import bearer
from tests.support import wait_until

pytestmark = pytest.mark.integration


def test_a_new_first_token_is_an_admin_token_the_registry_api_accepts(qr_client, infra):
    token, registered = ensure_admin_token(infra["DATABASE_URL"], None, "first admin (test)")

    answer = qr_client.get("/api/v1/zones", headers=bearer(token))

    assert registered and token.startswith(credentials.TOKEN_PREFIX)
    assert answer.status_code == 200 and answer.json["items"]


def test_a_given_token_is_registered_once_and_a_revoked_one_stays_revoked(qr_client, infra):
    given = credentials.new_token()

    first = ensure_admin_token(infra["DATABASE_URL"], given, "from ADMIN_TOKEN (test)")
    again = ensure_admin_token(infra["DATABASE_URL"], given, "from ADMIN_TOKEN (test)")
    works = qr_client.get("/api/v1/stations/GGN-SADAR", headers=bearer(given)).status_code
    revoke_token(infra["DATABASE_URL"], token_id_of(infra["DATABASE_URL"], given))
    after = ensure_admin_token(infra["DATABASE_URL"], given, "from ADMIN_TOKEN (test)")

    assert (first, again, after) == ((given, True), (given, False), (given, False))
    assert works == 200
    # Within the gate's token cache (2 s), as every service honours a revocation.
    wait_until(
        lambda: (
            qr_client.get("/api/v1/stations/GGN-SADAR", headers=bearer(given)).status_code == 401
        ),
        timeout_s=10,
    )


def test_a_token_that_is_not_one_of_ours_is_refused_before_it_is_kept(infra):
    with pytest.raises(ValueError, match="prk_"):
        ensure_admin_token(infra["DATABASE_URL"], "not-a-pratikriya-token", "bad")
