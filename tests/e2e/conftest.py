"""The running intake service (gunicorn, as in production) and a real headless browser."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def intake_url(stack_config, infra):
    from ops import services

    # A fresh process, so it runs this checkout's code; it sees stations that tests add to
    # the registry at once rather than at its next refresh.
    services.stop_service(stack_config, "intake")
    port = services.start_service(
        stack_config, "intake", {**infra, "INTAKE_STATION_MAX_LAG_S": "0"}
    )
    yield f"http://127.0.0.1:{port}"
    services.stop_service(stack_config, "intake")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A page the size of a cheap phone's screen."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="hi-IN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def all_services(stack_config, infra) -> dict[str, int]:
    """Every HTTP service and worker of ./pratikriya up, on the test profile; their ports."""
    from ops import services

    ports = {name: services.start_service(stack_config, name, infra) for name in services.SERVICES}
    for name in services.WORKERS:
        services.start_worker(stack_config, name, infra)
    return ports
