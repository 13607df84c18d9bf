"""In a real browser at 360 px: the moderators' buttons are proper targets with room between them (WCAG 2.2
2.5.8), a blocked item takes a deliberate second step to approve (A.5.2, A.4.9), and a pupil who discloses harm
lands on plain help (A.2.3)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from custos.accounts.models import Kind, Pupil, School, Trust
from custos.community import actions
from custos.community.models import Contribution, Membership
from custos.community.tests.base import make_space
from custos.community.tests.test_browser_moderation import sign_in
from custos.tasks.worker import run_once
from custos.test import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _space():  # type: ignore[no-untyped-def]
    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Riverside Academy", urn="100002", website="https://r.example/")
    teacher = make_user("teacher", school=school, job_title="Science teacher")
    moderator = make_user("moderator", school=school)
    pupils = []
    for n, (first, last) in enumerate((("Jacob", "Hill"), ("Alexa", "Moorcroft"))):
        user = make_user(f"pupil{n}", school=school, kind=Kind.PUPIL, first_name=first, last_name=last)
        Pupil.objects.create(school=school, upn=f"R{n:012d}", legal_first_name=first, legal_last_name=last,
                             year_group=8, date_of_birth=dt.date(2013, 3, 1), user=user)  # fmt: skip
        pupils.append(user)
    site = make_space(school, teacher, [moderator], [teacher])
    actions.invite(site, by=teacher, users=pupils)
    Membership.objects.update(terms_accepted_at=dt.datetime.now(tz=dt.UTC))
    return site, pupils


def test_a49_a_blocked_item_needs_approve_anyway_and_every_button_is_a_44px_target(browser_page) -> None:  # type: ignore[no-untyped-def]
    site, pupils = _space()
    for pupil, body in zip(pupils, ("ring me 07700 900123", "Our beans grew 4 cm"), strict=True):
        actions.contribute(site, by=pupil, body=body)
    run_once()
    blocked = Contribution.objects.get(body__startswith="ring me")

    page = browser_page
    sign_in(page, "moderator")
    page.goto(f"/moderation/{site.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    buttons = page.locator("main button:visible")
    boxes = [buttons.nth(i).bounding_box() for i in range(buttons.count())]
    assert len(boxes) >= 4
    for box in boxes:
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, box
    for first, second in itertools.pairwise(boxes):  # none touches the next (2.5.8 spacing)
        apart = second["y"] >= first["y"] + first["height"] + 4 or second["x"] >= first["x"] + first["width"] + 4
        assert apart, (first, second)

    blocked_item = page.locator(f"article[aria-labelledby='q{blocked.pk}']")
    assert blocked_item.get_by_role("button", name="Approve", exact=True).count() == 0
    assert blocked_item.get_by_role("button", name=f"Approve item {blocked.pk}", exact=True).count() == 0
    blocked_item.get_by_text("Approve anyway: the screening finding is wrong").click()
    blocked_item.get_by_role("button", name=f"Approve anyway item {blocked.pk}").click()
    blocked.refresh_from_db()
    assert blocked.state == "pending"  # the browser will not send it without a reason (required)
    blocked_item.get_by_label("Why the finding is wrong").fill("A made-up number in a maths puzzle.")
    blocked_item.get_by_role("button", name=f"Approve anyway item {blocked.pk}").click()
    page.wait_for_load_state()
    assert page.get_by_text("Approved anyway: members can now see it.").is_visible()
    blocked.refresh_from_db()
    assert blocked.state == "approved"


def test_a23_a_pupil_who_discloses_harm_lands_on_plain_help(browser_page) -> None:  # type: ignore[no-untyped-def]
    site, _ = _space()
    page = browser_page
    sign_in(page, "pupil0")
    page.goto(f"/spaces/{site.pk}/")
    send = page.get_by_role("button", name="Send for moderation")
    box = send.bounding_box()
    assert box is not None and box["height"] >= 44
    page.get_by_label("Your contribution").fill("I don't want to go home, my stepdad hits me")
    send.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="If something is worrying you").is_visible()
    assert page.get_by_role("link", name="0800 1111").is_visible()
    assert page.get_by_role("link", name="999").is_visible()
    assert "flagged" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a26_the_members_page_fits_a_phone_and_its_buttons_are_44px_targets(browser_page) -> None:  # type: ignore[no-untyped-def]
    site, _ = _space()
    page = browser_page
    sign_in(page, "teacher")
    page.goto(f"/spaces/{site.pk}/members/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for name in ("Invite", "Change", "Rename"):
        box = page.get_by_role("button", name=name).first.bounding_box()
        assert box is not None and box["height"] >= 44, (name, box)
