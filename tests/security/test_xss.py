"""No stored text reaches a page unescaped: every free-text field of every row is set to an XSS payload, then every
page each persona can reach is loaded and searched for the payload as markup."""

from __future__ import annotations

from collections import deque
from urllib.parse import urldefrag, urlparse

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve

from custos.accounts.models import User
from custos.core.demo import seed
from custos.policy.actions import DEFAULT_POLICY, acknowledge, current_version, import_policy
from custos.test import sign_in

PAYLOAD = "<xss-probe>\"'><script>alert(1)</script>"
MARKUP = "<xss-probe>"
# Fields whose values the software itself depends on (sign-in names, addresses, hashes, file paths).
SKIP_FIELDS = {"username", "email", "password", "to", "hash", "prev_hash", "sha256", "content_sha256", "key",
               "token_hash", "upn", "urn", "name", "label", "number", "section"}  # fmt: skip
SKIP_APPS = {"contenttypes", "auth", "sessions", "admin", "axes", "otp_totp", "django_otp", "audit", "custos_tasks"}
PERSONAS = [
    "teacher@oakfield.example.sch.uk",
    "head@oakfield.example.sch.uk",
    "dsl@oakfield.example.sch.uk",
    "moderator@oakfield.example.sch.uk",
    "hr@trust.example.org.uk",
    "ict@oakfield.example.sch.uk",
]

pytestmark = pytest.mark.django_db


def _unique_together_fields(model: type[models.Model]) -> set[str]:
    """Fields in a multi-column unique rule (a member's pseudonym is unique within its site): each row's value is
    made distinct, or one payload for every row would break the rule before a page is loaded."""
    groups = [set(group) for group in model._meta.unique_together]
    groups += [set(c.fields) for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    return {name for group in groups if len(group) > 1 for name in group}


def poison_every_text_field() -> int:
    fields_poisoned = 0
    for model in apps.get_models():
        if model._meta.app_label in SKIP_APPS or model._meta.proxy:
            continue
        text_fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not isinstance(f, models.EmailField | models.URLField | models.SlugField | models.FileField)
            and not f.choices
            and not f.unique
            and f.name not in SKIP_FIELDS
            and (f.max_length is None or f.max_length >= len(PAYLOAD))
        ]
        if text_fields and model._default_manager.exists():
            per_row = [f for f in text_fields if f in _unique_together_fields(model)]
            shared = [f for f in text_fields if f not in per_row]
            if shared:
                model._default_manager.update(**dict.fromkeys(shared, PAYLOAD))
            for pk in model._default_manager.values_list("pk", flat=True) if per_row else ():
                model._default_manager.filter(pk=pk).update(**dict.fromkeys(per_row, f"{PAYLOAD}{pk}"))
            fields_poisoned += len(text_fields)
    return fields_poisoned


def crawl(client: Client, limit: int = 80) -> list[tuple[str, str]]:
    pages, queue, seen, kinds = [], deque(["/"]), {"/"}, set()
    while queue and len(pages) < limit:
        path = queue.popleft()
        try:
            kind = resolve(path.split("?")[0]).route
        except Resolver404:
            continue
        if kind in kinds:
            continue
        kinds.add(kind)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages.append((path, html))
        for href in _links(html):
            url, _ = urldefrag(href)
            parsed = urlparse(url)
            if (
                parsed.netloc
                or not parsed.path.startswith("/")
                or parsed.path.startswith(("/static", "/account/logout"))
            ):
                continue
            if url not in seen and not parsed.path.endswith((".csv", ".pdf", ".png", ".jpg")):
                seen.add(url)
                queue.append(url)
    return pages


def _links(html: str) -> list[str]:
    import re

    return re.findall(r'href="([^"]+)"', html)


def test_no_stored_text_reaches_any_page_as_markup() -> None:
    import_policy(DEFAULT_POLICY.read_text(), label="2026.1", by=None)
    seed()
    assert poison_every_text_field() > 50
    unescaped, loaded = [], 0
    for username in PERSONAS:
        user = User.objects.get(username=username)
        acknowledge(user, current_version())
        client = sign_in(Client(), user)
        for path, html in crawl(client):
            loaded += 1
            if MARKUP in html:
                unescaped.append(f"{username} {path}")
    print(f"{loaded} pages loaded; payload found as markup on {len(unescaped)}")
    assert loaded >= 30
    assert unescaped == []
