"""Single sign-on against a real OpenID Connect provider (panva/node-oidc-provider) running locally (issue 10).

The whole authorization-code flow runs: the app sends the browser to the provider with state, nonce and PKCE;
the provider's own login and consent forms are submitted; the app exchanges the code over HTTP and checks the
signed ID token. Skips, saying why, without node or the provider package (``npm ci`` in tests/oidc)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from django.test import Client, override_settings

from custos.audit.models import AuditEvent
from custos.sso.models import IdpAssertedDevice
from custos.test import CustosTestCase

OIDC_DIR = Path(__file__).resolve().parents[3] / "tests" / "oidc"
NODE = shutil.which("node")
CLIENT = {"client_id": "custos-test", "client_secret": "custos-test-secret"}
ACCOUNTS = {
    "teacher": {"email": "Teacher@Example.org", "email_verified": True, "amr": ["pwd"]},
    "stranger": {"email": "nobody@example.org", "email_verified": True},
    "unverified": {"email": "teacher@example.org", "email_verified": False},
    "elsewhere": {"email": "teacher@gmail.example", "email_verified": True},
    "head_password_only": {"email": "head@example.org", "email_verified": True, "amr": ["pwd"]},
    "head_with_mfa": {"email": "head@example.org", "email_verified": True, "amr": ["pwd", "mfa"]},
}


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and self.action is None:
            self.action, self._in_form = values.get("action") or "", True
        elif tag in ("input", "button") and self._in_form and values.get("name"):
            self.fields[str(values["name"])] = values.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OidcSignInTests(CustosTestCase):
    provider: subprocess.Popen[str]
    issuer: str

    @classmethod
    def setUpClass(cls) -> None:
        if NODE is None:
            cls.skipTest(cls, "node is not installed; the SSO tests need it to run the local OpenID provider")  # type: ignore[arg-type]
        if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
            cls.skipTest(cls, "the OpenID provider package is missing: run `npm ci` in tests/oidc")  # type: ignore[arg-type]
        super().setUpClass()
        port = _free_port()
        cls.issuer = f"http://127.0.0.1:{port}"
        config = {
            "clients": [{**CLIENT, "redirect_uris": ["http://testserver/sso/test/callback/"]}],
            "accounts": ACCOUNTS,
        }
        cls.provider = subprocess.Popen(
            [NODE, "provider.mjs", str(port)],
            cwd=OIDC_DIR,
            env={**os.environ, "OIDC_TEST_CONFIG": json.dumps(config)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(f"{cls.issuer}/.well-known/openid-configuration", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            cls.provider.kill()
            raise RuntimeError("the local OpenID provider did not start")
        # Only for this local provider over plain http; production discovery addresses must be https.
        os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
        cls._sso = override_settings(
            CUSTOS_SSO_PROVIDERS={
                "test": {
                    "label": "Test IdP",
                    **CLIENT,
                    "discovery_url": f"{cls.issuer}/.well-known/openid-configuration",
                    "domains": ["example.org"],
                }
            }
        )
        cls._sso.enable()

    @classmethod
    def tearDownClass(cls) -> None:
        cls._sso.disable()
        os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        cls.provider.kill()
        cls.provider.wait(timeout=10)
        super().tearDownClass()

    def sign_in_as(self, login: str) -> tuple[Client, Any]:
        """Start at the app, sign in at the provider as ``login``, come back: the app's client and answer."""
        app = Client()
        started = app.get("/sso/test/start/")
        self.assertEqual(started.status_code, 302)
        self.assertIn("code_challenge_method=S256", started["Location"])
        self.assertIn("nonce=", started["Location"])
        idp = requests.Session()
        response = idp.get(started["Location"], allow_redirects=False, timeout=10)
        for _ in range(12):
            if response.is_redirect:
                target = urljoin(response.url, response.headers["Location"])
                if target.startswith("http://testserver/"):
                    parts = urlsplit(target)
                    return app, app.get(f"{parts.path}?{parts.query}")
                response = idp.get(target, allow_redirects=False, timeout=10)
                continue
            form = _Form()
            form.feed(response.text)
            self.assertIsNotNone(form.action, response.text[:500])
            fields = dict(form.fields)
            if "login" in fields or "password" in fields:
                fields.update(login=login, password="any")
            response = idp.post(
                urljoin(response.url, form.action or ""), data=fields, allow_redirects=False, timeout=10
            )
        self.fail("the provider never sent the browser back to the app")

    def test_a_known_staff_email_signs_in_whatever_its_case(self) -> None:
        app, answer = self.sign_in_as("teacher")
        self.assertEqual(answer.status_code, 302)
        self.assertEqual(int(app.session["_auth_user_id"]), self.teacher.pk)
        self.assertEqual(app.get("/").status_code, 200)
        event = AuditEvent.objects.get(action="sso.signed_in")
        self.assertEqual(event.changes["issuer"], self.issuer)

    def test_an_unknown_email_is_refused_and_no_account_is_made(self) -> None:
        from custos.accounts.models import User

        before = User.objects.count()
        app, answer = self.sign_in_as("stranger")
        self.assertContains(answer, "ask your school", status_code=403)
        self.assertContains(answer, "ICT Manager", status_code=403)
        self.assertNotIn("_auth_user_id", app.session)
        self.assertEqual(User.objects.count(), before)
        self.assertTrue(AuditEvent.objects.filter(action="sso.refused", changes__reason="unknown email").exists())

    def test_an_unverified_email_is_refused(self) -> None:
        app, answer = self.sign_in_as("unverified")
        self.assertContains(answer, "has not verified", status_code=403)
        self.assertNotIn("_auth_user_id", app.session)

    def test_an_email_outside_the_school_domains_is_refused(self) -> None:
        app, answer = self.sign_in_as("elsewhere")
        self.assertContains(answer, "not a school email address", status_code=403)
        self.assertNotIn("_auth_user_id", app.session)

    def test_a_privileged_role_without_mfa_from_the_provider_is_still_asked_for_totp(self) -> None:
        app, _answer = self.sign_in_as("head_password_only")
        self.assertEqual(int(app.session["_auth_user_id"]), self.head.pk)
        home = app.get("/")
        self.assertEqual(home.status_code, 302)
        self.assertIn("/account/two-factor/", home["Location"])
        self.assertFalse(IdpAssertedDevice.objects.exists())

    def test_a_privileged_role_with_mfa_asserted_goes_straight_in(self) -> None:
        app, _answer = self.sign_in_as("head_with_mfa")
        self.assertEqual(app.get("/").status_code, 200)
        device = IdpAssertedDevice.objects.get(user=self.head)
        self.assertEqual(device.issuer, self.issuer)
        self.assertFalse(device.verify_token("123456"))
        event = AuditEvent.objects.get(action="sso.second_factor_asserted")
        self.assertEqual(event.changes["issuer"], self.issuer)

    def test_a_callback_not_started_here_is_refused(self) -> None:
        answer = Client().get("/sso/test/callback/?code=forged&state=forged")
        self.assertContains(answer, "not started here", status_code=400)

    def test_the_sign_in_page_offers_only_configured_providers(self) -> None:
        page = Client().get("/account/login/")
        self.assertContains(page, "Sign in with Test IdP")
        self.assertNotContains(page, "Sign in with Google")
        unknown = Client().get("/sso/google/start/", follow=True)
        self.assertContains(unknown, "not set up here")
        self.assertEqual(unknown.redirect_chain[-1][0], "/account/login/")
