"""Every form works by keyboard alone: on each main form, Tab from the top of the page reaches every visible
control and the submit button in a sensible order, and a keyboard-only journey files a report."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from custos.accounts.models import User
from custos.cases.models import Case
from custos.core.demo import seed
from custos.policy.actions import DEFAULT_POLICY, acknowledge, current_version, import_policy
from custos.test import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.once, pytest.mark.django_db(transaction=True)]

FORMS = {
    "teacher@oakfield.example.sch.uk": [
        "/cases/report/concern/",
        "/cases/report/friend-request/",
        "/cases/report/media-enquiry/",
        "/cases/report/breach/",
        "/staff/personal-check/",
        "/staff/declarations/",
        "/sites/new/",
        "/account/password/",
        "/privacy/my-details/",
    ],
    "head@oakfield.example.sch.uk": ["/audit/", "/privacy/requests/"],
    "hr@trust.example.org.uk": ["/staff/people/"],
}

# A radio group is one stop on the Tab path (arrow keys move within it), so it is named by its group.
VISIBLE_CONTROLS = """() => [...document.querySelectorAll(
    'main form input, main form select, main form textarea, main form button')]
  .filter(e => e.type !== 'hidden' && !e.disabled && e.offsetParent !== null)
  .map(e => e.type === 'radio' ? 'radio:' + e.name : (e.id || e.name || e.textContent.trim()))"""
FOCUSED = """() => { const e = document.activeElement;
  if (!e || e === document.body) return '';
  return e.type === 'radio' ? 'radio:' + e.name : (e.id || e.name || e.textContent.trim()); }"""


def tab_through(page, limit: int = 400) -> set[str]:
    """Everything Tab reaches from the top of the page (date fields take several presses: one per part)."""
    # Start where a keyboard user starts: the skip link, the first stop on every page.
    page.evaluate("() => document.querySelector('.skip-link').focus()")
    seen: set[str] = {page.evaluate(FOCUSED)}
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = page.evaluate(FOCUSED)
        if not current and seen:
            break  # past the last stop, back to the page itself
        seen.add(current)
    return seen


def test_every_main_form_is_reachable_by_tab_alone(live_server, browser_page) -> None:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import_policy(DEFAULT_POLICY.read_text(), label="2026.1", by=None)
    seed()
    unreachable, checked = [], 0
    for username, paths in FORMS.items():
        user = User.objects.get(username=username)
        acknowledge(user, current_version())
        session = sign_in(Client(), user).cookies["sessionid"].value
        browser_page.context.clear_cookies()
        browser_page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        for path in paths:
            response = browser_page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            controls = browser_page.evaluate(VISIBLE_CONTROLS)
            assert controls, f"{path} has no form"
            focused = tab_through(browser_page)
            missing = [c for c in controls if c not in focused]
            if missing:
                unreachable.append(f"{username} {path}: {missing}")
            checked += 1
    print(f"{checked} forms tabbed through")
    assert unreachable == [], "\n".join(unreachable)


def test_a_teacher_reports_a_media_enquiry_with_the_keyboard_only(live_server, browser_page) -> None:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import_policy(DEFAULT_POLICY.read_text(), label="2026.1", by=None)
    seed()
    teacher = User.objects.get(username="teacher@oakfield.example.sch.uk")
    acknowledge(teacher, current_version())
    session = sign_in(Client(), teacher).cookies["sessionid"].value
    browser_page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = browser_page
    page.goto(live_server.url + "/cases/report/media-enquiry/")
    page.evaluate("() => document.querySelector('.skip-link').focus()")

    def tab_to(test: str) -> None:
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate(test):
                return
        raise AssertionError(f"Tab never reached {test}")

    tab_to("document.activeElement.name === 'summary'")
    page.keyboard.type("They asked about the Reading Club's author visit.")
    tab_to("document.activeElement.name === 'outlet'")
    page.keyboard.type("The Oakfield Gazette")
    tab_to("document.activeElement.name === 'contact'")
    page.keyboard.type("Sam on the news desk")
    tab_to("document.activeElement.type === 'submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/cases/my-reports/" in page.url, page.content()[:2000]
    assert Case.objects.filter(summary__startswith="They asked about the Reading Club").exists()
