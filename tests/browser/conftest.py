"""Real pages in headless Chromium: the app served on a loopback port, Playwright driving Debian's browser.

Screenshots of each main page go to test-artifacts/screenshots/ for a reviewer to look at.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from engine import Engine
from web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "mật-khẩu thử 2026"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:  # Playwright gives the browser a fresh, empty profile of its own
        found = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield found
        found.close()


@pytest.fixture
def live_app(engine: Engine) -> Flask:
    return create_app({"TESTING": False, "SECRET_KEY": "browser-test-secret"}, engine=engine)


@pytest.fixture
def server(live_app: Flask) -> Iterator[str]:
    """The app on 127.0.0.1 at a free port, in a thread of this process (so it shares the virtual clock)."""
    httpd = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def page(browser, server: str) -> Iterator[object]:
    context = browser.new_context(base_url=server, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(10_000)
    found = context.new_page()
    yield found
    context.close()


@pytest.fixture
def sign_in(page, engine: Engine) -> Callable[..., object]:
    """Create ``username`` with ``groups`` and sign in through the login form."""

    def _sign_in(username: str, groups: list[str], unit: str | None = "so-noi-vu", admin: bool = False) -> object:
        engine.identity.ensure_user(username, groups=groups, unit=unit, password=PASSWORD, is_admin=admin)
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_load_state()
        return page

    return _sign_in


@pytest.fixture
def shot(page) -> Callable[[str], Path]:
    """Save a full-page screenshot under test-artifacts/screenshots/<name>.png."""

    def _shot(name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture
def engine(database, vclock) -> Iterator[Engine]:  # noqa: F811  (the browser tests' engine)
    from engine import Settings

    eng = Engine(Settings(database_url=database.url, script_time_limit_s=0.5), database=database)
    eng.ensure_admin()
    yield eng
