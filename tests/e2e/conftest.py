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
        stack_config, "intake", {**infra, "INTAKE_STATION_REFRESH_S": "0"}
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
