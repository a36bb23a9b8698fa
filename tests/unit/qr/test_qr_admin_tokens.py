"""Admin tokens through the use cases, on fakes: only a live token's hash lets a caller in."""

from __future__ import annotations

import pytest

from services.qr import tokens, usecases
from tests.unit.qr.fakes import NOW, FakePublisher, FakeUnitOfWork

pytestmark = pytest.mark.usefixtures("no_sockets")


def deps_of(uow: FakeUnitOfWork) -> usecases.Deps:
    return usecases.Deps(uow, FakePublisher(), clock=lambda: NOW)


def test_a_new_token_lets_its_holder_in_and_its_last_use_is_noted() -> None:
    uow = FakeUnitOfWork()
    deps = deps_of(uow)
    token_id, token = usecases.create_token(deps, "control room")

    found = usecases.authenticate(deps, token)

    assert found is not None and (found.id, found.label) == (token_id, "control room")
    [stored] = uow.committed.tokens.values()
    assert stored.token_hash == tokens.token_hash(token) and token not in repr(stored)
    assert usecases.list_tokens(deps)[0].last_used_at == NOW


def test_unknown_revoked_and_malformed_tokens_let_nobody_in() -> None:
    deps = deps_of(FakeUnitOfWork())
    token_id, token = usecases.create_token(deps, "old desk")

    assert usecases.revoke_token(deps, token_id) is True
    assert usecases.revoke_token(deps, token_id) is False
    assert usecases.authenticate(deps, token) is None
    assert usecases.authenticate(deps, tokens.new_token()) is None
    assert usecases.authenticate(deps, "") is None
    assert usecases.authenticate(deps, "x" * 201) is None


def test_registering_a_known_token_again_keeps_its_id_and_does_not_revive_it() -> None:
    deps = deps_of(FakeUnitOfWork())
    token = tokens.new_token()
    first, registered = usecases.register_token(deps, token, "setup")
    usecases.revoke_token(deps, first)

    again, registered_again = usecases.register_token(deps, token, "setup")

    assert (registered, registered_again, again) == (True, False, first)
    assert usecases.authenticate(deps, token) is None
