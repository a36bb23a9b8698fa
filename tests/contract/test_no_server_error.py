"""Schemathesis against the four running services: requests generated from each service's
own OpenAPI description (valid ones, and ones that break it), sent over HTTP to gunicorn
with a token of a role that may use the route, from an address that is not loopback. No
answer may be a server error.

The operations are those each service describes (its ``build_spec()``, the document it
serves; the test checks that the served one has each), so routes added later are covered
as soon as they are described, which tests/contract/test_openapi_describes_every_route.py
demands. The run is bounded (MAX_EXAMPLES per operation and kind) and the same every time
(Hypothesis derandomized: the examples follow from the test, not from a clock).
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from tests.contract.apps import spec_builders
from tests.contract.conftest import DESCRIBED

pytestmark = pytest.mark.integration
MAX_EXAMPLES = 20  # per operation, for valid and for invalid requests each
TIMEOUT_S = 30


def _operations() -> list[tuple[str, str]]:
    builders = spec_builders()
    return [
        (name, operation.ok().label)
        for name in DESCRIBED
        for operation in schemathesis.openapi.from_dict(builders[name]()).get_all_operations()
    ]


@functools.cache
def _served(base_url: str, authorization: str) -> Any:
    """The description the running service serves (read with a sign-in, as it must be)."""
    return schemathesis.openapi.from_url(
        f"{base_url}/openapi.json", headers={"Authorization": authorization}, timeout=TIMEOUT_S
    )


def _negatable(operation: Any) -> bool:
    """Whether there is anything to break: parameters or a body beyond the token."""
    headers = [h for h in operation.headers if h.name.lower() != "authorization"]
    return bool(len(operation.path_parameters) or len(operation.query) or len(operation.body)
                or headers)  # fmt: skip


@pytest.mark.parametrize(("service", "label"), _operations())
def test_no_generated_request_gets_a_server_error(
    service, label, base_urls, callers, outside_session
):
    base_url, auth = base_urls[service], callers[service]
    schema = _served(base_url, auth["Authorization"])
    operation = schema.find_operation_by_label(label)
    assert operation is not None, f"{service} serves no description of {label}"
    kinds = [operation.as_strategy(generation_mode=GenerationMode.POSITIVE)]
    if _negatable(operation):
        kinds.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

    @given(case=st.one_of(kinds))
    @settings(
        max_examples=MAX_EXAMPLES * len(kinds),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def no_server_error(case):
        response = case.call(
            base_url=base_url, session=outside_session, headers=auth, timeout=TIMEOUT_S
        )
        case.validate_response(response, checks=[not_a_server_error])

    no_server_error()
