"""Accessibility, checked: axe-core (from npm) in Debian's chromium over every page type each persona can reach,
on a 360-pixel-wide phone screen. WCAG 2.0, 2.1 and 2.2 A and AA rules; no violations allowed."""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from custos.accounts.models import User
from custos.core.demo import seed
from custos.policy.actions import DEFAULT_POLICY, acknowledge, current_version, import_policy
from custos.test import sign_in

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PERSONAS = [
    "teacher@oakfield.example.sch.uk",
    "head@oakfield.example.sch.uk",
    "ict@oakfield.example.sch.uk",
    "dsl@oakfield.example.sch.uk",
    "pastoral@oakfield.example.sch.uk",
    "moderator@oakfield.example.sch.uk",
    "hr@trust.example.org.uk",
    "contractor@oakfield.example.sch.uk",
]
SKIP_SUFFIXES = (".csv", ".pdf", ".png", ".jpg", ".svg", ".json", ".txt")
PAGES_PER_PERSONA = 60

pytestmark = [pytest.mark.browser, pytest.mark.once, pytest.mark.django_db(transaction=True)]


def page_type(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


def crawl_targets(href: str, origin: str) -> str | None:
    url, _ = urldefrag(href)
    parsed = urlparse(url)
    if parsed.netloc and f"{parsed.scheme}://{parsed.netloc}" != origin:
        return None
    path = parsed.path
    if not path.startswith("/") or path.startswith(("/static/", "/media/", "/django-admin/", "/account/logout")):
        return None
    if path.endswith(SKIP_SUFFIXES) or "export" in path or "download" in path:
        return None
    return path + (f"?{parsed.query}" if parsed.query and "page=" not in parsed.query else "")


def test_every_page_type_passes_axe_at_phone_width(live_server, browser_page) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci` in tests/a11y (.ci/run does)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import_policy(DEFAULT_POLICY.read_text(), label="2026.1", by=None)
    seed()
    axe_source = AXE.read_text()
    context = browser_page.context
    violations: list[str] = []
    visited_types: set[tuple[str, str]] = set()
    pages_checked = 0
    for username in PERSONAS:
        user = User.objects.get(username=username)
        acknowledge(user, current_version())
        client = sign_in(Client(), user)
        context.clear_cookies()
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        queue, seen = deque(["/"]), {"/"}
        checked = 0
        while queue and checked < PAGES_PER_PERSONA:
            path = queue.popleft()
            kind = page_type(path.split("?")[0])
            if kind is None or (username, kind) in visited_types:
                continue
            visited_types.add((username, kind))
            try:
                response = browser_page.goto(live_server.url + path)
            except PlaywrightError:  # a download (schema, archive), not a page
                continue
            if (
                response is None
                or response.status != 200
                or "text/html" not in response.headers.get("content-type", "")
            ):
                continue
            checked += 1
            browser_page.evaluate(axe_source)
            result = browser_page.evaluate(
                "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
            )
            for violation in result["violations"]:
                targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
                violations.append(f"{username} {path}: {violation['id']} ({violation['impact']}) at {targets}")
            if not browser_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"):
                violations.append(f"{username} {path}: wider than a 360-pixel screen (horizontal scrolling)")
            for href in browser_page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
                target = crawl_targets(href, live_server.url)
                if target and target not in seen:
                    seen.add(target)
                    queue.append(target)
        pages_checked += checked
    print(f"axe-core checked {pages_checked} pages ({len(visited_types)} persona x page types)")
    assert pages_checked >= 20
    assert violations == [], "\n".join(violations)
