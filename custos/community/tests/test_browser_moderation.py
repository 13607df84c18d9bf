"""In a real browser on a phone-sized screen: a pupil's post goes through screening and moderation to appearing
for another pupil, under a pseudonym (A.4.1, A.5.2, A.5.3, A.5.4)."""

from __future__ import annotations

import datetime as dt

import pytest

from custos.accounts.models import Kind, Pupil, School, Trust
from custos.community import actions
from custos.community.models import Membership
from custos.community.tests.base import make_space
from custos.tasks.worker import run_once
from custos.test import TEST_PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/account/login/")
    page.get_by_label("Email address or username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Menu").click()  # on a phone the menu, with Sign out, is folded
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_a53_a_pupils_post_goes_through_moderation_to_appearing_for_another_pupil(browser_page) -> None:  # type: ignore[no-untyped-def]
    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    teacher = make_user("teacher", school=school, job_title="Science teacher")
    moderator = make_user("moderator", school=school)
    pupils = []
    for n, (first, last) in enumerate((("Jamie", "Rivers"), ("Alexa", "Moorcroft"))):
        user = make_user(f"pupil{n}", school=school, kind=Kind.PUPIL, first_name=first, last_name=last)
        Pupil.objects.create(school=school, upn=f"A{n:012d}", legal_first_name=first, legal_last_name=last,
                             year_group=8, date_of_birth=dt.date(2012, 3, 1), user=user)  # fmt: skip
        pupils.append(user)
    site = make_space(school, teacher, [moderator], [teacher])
    actions.invite(site, by=teacher, users=pupils)
    Membership.objects.filter(user=pupils[1]).update(terms_accepted_at=dt.datetime.now(tz=dt.UTC))
    pseudonym = Membership.objects.get(user=pupils[0]).pseudonym

    page = browser_page
    sign_in(page, "pupil0")
    page.goto(f"/spaces/{site.pk}/")
    page.get_by_label("I have read the Terms of Use and House Rules and will keep to them").check()
    page.get_by_role("button", name="Accept and continue").click()
    page.get_by_label("Your contribution").fill("Our bean plant grew 4 cm this week!")
    page.get_by_role("button", name="Send for moderation").click()
    assert page.get_by_text("A moderator will check it").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    sign_out(page)

    run_once()  # the background screening the worker does

    sign_in(page, "pupil1")
    page.goto(f"/spaces/{site.pk}/")
    assert "bean plant" not in page.content()
    sign_out(page)

    sign_in(page, "moderator")
    page.goto(f"/moderation/{site.pk}/")
    assert page.get_by_text("Our bean plant grew 4 cm this week!").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Approve").first.click()
    assert page.get_by_text("Approved: members can now see it.").is_visible()
    sign_out(page)

    sign_in(page, "pupil1")
    page.goto(f"/spaces/{site.pk}/")
    assert page.get_by_text("Our bean plant grew 4 cm this week!").is_visible()
    assert page.get_by_text(pseudonym).first.is_visible()
    assert "Jamie" not in page.content() and "Rivers" not in page.content()
