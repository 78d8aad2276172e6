"""Every page in Vietnamese, as each role of the demo sees it: a short demo run gives dossiers in every state;
each person signs in and follows every link of the pages they can reach. The text a person reads may hold no
raw JSON, no internal code (unit codes, group codes, variable names), no ISO UTC time and no English word."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Settings, clock
from handlers.domain import Domain
from handlers.units import Units
from web.app import create_app
from web.auth import ROLES
from web.boot import DEMO_USERS, prepare
from web.office import Simulation

PASSWORD = "mật-khẩu-demo"
#: pages a walk does not open: sign-out, downloads (PDF, Excel, Word), the API, static and vendor files
SKIP = re.compile(r"^/(logout|api/|static/|vendor/)|/(tai-ve|download|documents?)/|\.(pdf|xlsx|docx|json|bpmn)$|/xuat")
MAX_PAGES = 60
#: pages of one shape (the same path but for ids, any query) opened at most
VARIANTS = 3
ENGLISH = re.compile(
    r"\b(the|is|are|not|no|some|cannot|found|method|allowed|error|task|step|unit|user|process|instance|due|"
    r"dossier|council|none|true|false|null|invalid|required|missing)\b"
)
#: a snake_case word, unless it is a file's name (what a person called the file: ``award_dossier.bpmn``)
SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b(?![\w.-]*\.(?:bpmn|dmn|json|pdf|docx|xlsx|png|jpe?g)\b)")
ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
JSON = re.compile(r"[{\[]\s*\"[^\"]+\"\s*:")


class Visible(HTMLParser):
    """The text a person reads: text nodes (not scripts, styles or templates) and titles, placeholders, labels."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self.hidden += 1
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        for name in ("title", "placeholder", "aria-label"):
            if found.get(name):
                self.parts.append(str(found[name]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def leaks(text: str, codes: set[str]) -> list[str]:
    """What a Vietnamese reader should not meet in ``text``."""
    found = [f"JSON {m.group(0)}" for m in JSON.finditer(text)]
    found += [f"ISO time {m.group(0)}" for m in ISO_UTC.finditer(text)]
    found += [f"variable {m.group(0)}" for m in SNAKE.finditer(text)]
    found += [f"English {m.group(0)}" for m in ENGLISH.finditer(text.lower())]
    found += [f"code {w}" for w in re.findall(r"[\w-]+", text) if w in codes]
    return found


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Domain]]:
    tmp = tmp_path_factory.mktemp("vi")
    previous = clock.install(clock.VirtualClock(datetime(2026, 11, 20, 3, 0, tzinfo=UTC)))
    try:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'vi.sqlite'}", storage_dir=str(tmp / "files"))
        domain = prepare(settings, demo=True, password=PASSWORD)
        simulation = Simulation(domain, random.Random(11), clock.now())
        simulation.run(16)
        assert simulation.errors == 0
        app = create_app({"TESTING": True, "SECRET_KEY": "vi-walk"}, domain=domain)
        yield app, domain
    finally:
        clock.install(previous)


def sign_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token is not None
    done = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
    assert done.status_code == 302, username
    return client


#: where a signed-in walk starts (the home page, the inbox, the designer's rule sets, decision tables, forms and
#: documents, two wrong turns)
SIGNED_IN_START = (
    "/",
    "/inbox",
    "/khong-co-trang-nay",
    "/designer/quy-tac",
    "/designer/quy-tac/moi",
    "/designer/quyet-dinh",
    "/designer/forms",
    "/designer/documents",
    "/logout",
)
#: the public pages anyone opens without an account: look-up, disclosure for comment, published decisions
PUBLIC_START = (
    "/tra-cuu",
    "/tra-cuu?code=HS-KHONG-CO",
    "/cong-khai",
    "/cong-khai/HS-KHONG-CO/gop-y",
    "/cong-khai/y-kien?receipt=GY-KHONGCO",
    "/cong-khai/quyet-dinh",
    "/cong-khai/quyet-dinh?q=a",
)


def walk(client: FlaskClient, codes: set[str], start: tuple[str, ...] = SIGNED_IN_START) -> dict[str, list[str]]:
    """Open every page reachable from ``start``, by link; what each one leaks."""
    queue, seen, problems = list(start), set(), {}
    variants: dict[str, int] = {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        key = path + ("?" + urlsplit(url).query if urlsplit(url).query else "")
        shape = re.sub(r"\d+|[0-9a-f-]{36}", "#", path)
        if key in seen or (SKIP.search(path) and path != "/logout") or variants.get(shape, 0) >= VARIANTS:
            continue
        seen.add(key)
        variants[shape] = variants.get(shape, 0) + 1
        response = client.get(url)
        if response.status_code in (301, 302, 303):
            continue
        if not response.content_type.startswith("text/html"):
            continue
        parser = Visible()
        parser.feed(response.get_data(as_text=True))
        found = leaks(" ".join(parser.parts), codes)
        if found:
            problems[f"{key} ({response.status_code})"] = sorted(set(found))[:8]
        for link in parser.links:
            target = urljoin(url, link)
            parts = urlsplit(target)
            if not parts.netloc and parts.path.startswith("/") and "lang=" not in parts.query:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return problems


@pytest.mark.parametrize("username", sorted({u for u, *_ in DEMO_USERS} | {"admin"}))
def test_every_page_in_vietnamese(world: tuple[Flask, Domain], username: str) -> None:
    app, _ = world
    codes = set(Units.load().names) | set(ROLES) | {g for *_, groups, _u in DEMO_USERS for g in groups}
    codes -= {"admin"}  # the word the administrators' own page is named by in the menu is not a code here
    problems = walk(sign_in(app, username), codes)
    assert problems == {}, "\n".join(f"{page}: {found}" for page, found in problems.items())


def test_the_public_pages_in_vietnamese(world: tuple[Flask, Domain]) -> None:
    """Without an account: the look-up, the lists published for comment with their forms, the published decisions
    (the demo's year has some of each)."""
    app, domain = world
    assert domain.published_decisions.search()[0], "the demo issued decisions"
    codes = set(Units.load().names) | set(ROLES) | {g for *_, groups, _u in DEMO_USERS for g in groups}
    problems = walk(app.test_client(), codes, PUBLIC_START)
    assert problems == {}, "\n".join(f"{page}: {found}" for page, found in problems.items())


#: the emulation cluster pages of the area cluster's year (every unit of it named, never coded)
CLUSTER_START = (
    "/cum-khoi",
    "/cum-khoi?nam=2025",
    "/cum-khoi/cum-huyen/2026",
    "/cum-khoi/cum-huyen/2026/tu-cham",
    "/cum-khoi/cum-huyen/2026/cham-cheo",
    "/cum-khoi/cum-huyen/2026/tham-dinh",
    "/cum-khoi/cum-huyen/2026/hoi-nghi",
    "/cum-khoi/cum-huyen/2026/de-nghi",
    "/cum-khoi/cum-huyen/2026/xep-hang",
    "/cum-khoi/cum-huyen/lich-su",
    "/dashboard",
)


@pytest.mark.parametrize("username", ["truongcum", "thanhviencum", "giamsat"])
def test_the_cluster_pages_in_vietnamese(world: tuple[Flask, Domain], username: str) -> None:
    """The cluster's head, a member unit's officer and the supervisor on the cluster pages and the dashboard's
    clusters (the populated sheets, gaps and ranking are walked by tests/web/test_cluster_pages.py)."""
    app, _ = world
    codes = set(Units.load().names) | set(ROLES) | {g for *_, groups, _u in DEMO_USERS for g in groups}
    problems = walk(sign_in(app, username), codes, CLUSTER_START)
    assert problems == {}, "\n".join(f"{page}: {found}" for page, found in problems.items())
