"""In a real browser (Debian's chromium), on a phone-sized screen: a Head signs in with password and code."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.accounts.models import Role, School, Trust
from custos.test import TEST_PASSWORD, give_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_signs_in_with_a_second_factor_and_sees_waiting_for_me(browser_page) -> None:
    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    head = make_user("head", school=school)
    give_role(head, Role.HEAD_OF_SCHOOL, school)
    device = TOTPDevice.objects.create(user=head, name="phone", confirmed=True)

    page = browser_page
    page.goto("/")
    assert "/account/login/" in page.url
    page.get_by_label("Email address or username").fill("head")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/two-factor/**")
    page.get_by_label("6-digit code from your authenticator app").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Waiting for me").is_visible()
    assert page.get_by_role("link", name="Oakfield Academy website").get_attribute("href") == "https://oak.example/"
    # Nothing overflows a 390-pixel phone screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_on_a_phone_the_menu_folds_behind_a_menu_button(browser_page) -> None:
    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    make_user("teacher", school=school)
    page = browser_page
    page.goto("/account/login/")
    page.get_by_label("Email address or username").fill("teacher")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    menu = page.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    policy = page.get_by_role("navigation", name="Main").get_by_role("link", name="Policy", exact=True)
    assert not policy.is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert policy.is_visible()
