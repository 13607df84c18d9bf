"""Accounts: sign in and out, throttling, password rules, two factors, and sessions that really end."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.accounts.actions import deactivate
from custos.tasks.worker import run_once
from custos.test import TEST_PASSWORD, CustosTestCase, LocalSMTPServer


def attempt(client: Client, username: str, password: str, ip: str = "10.1.1.1"):
    return client.post("/account/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


class SignInTests(CustosTestCase):
    def test_teacher_signs_in_with_password_and_reaches_home(self) -> None:
        client = Client()
        response = attempt(client, "teacher", TEST_PASSWORD)
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertContains(client.get("/"), "Waiting for me")

    def test_wrong_password_says_so_plainly_and_signs_nobody_in(self) -> None:
        client = Client()
        response = attempt(client, "teacher", "not my password")
        self.assertContains(response, "do not match an account")
        self.assertEqual(client.get("/").status_code, 302)

    def test_five_failures_lock_the_account_but_not_its_neighbours_on_the_same_address(self) -> None:
        for _ in range(5):
            attempt(Client(), "teacher", "guess-guess", ip="10.9.9.9")
        locked = attempt(Client(), "teacher", TEST_PASSWORD, ip="10.9.9.9")
        self.assertEqual(locked.status_code, 429)
        self.assertContains(locked, "Too many attempts", status_code=429)
        neighbour = attempt(Client(), "moderator", TEST_PASSWORD, ip="10.9.9.9")
        self.assertRedirects(neighbour, "/", fetch_redirect_response=False)

    def test_lockout_is_per_account_and_address_not_per_address_alone(self) -> None:
        for name in ("teacher", "moderator", "contractor", "pupil", "external", "outsider"):
            attempt(Client(), name, "wrong-password", ip="10.7.7.7")
        # Six people each mistyped once from the school's one address: nobody is locked out.
        self.assertRedirects(
            attempt(Client(), "teacher", TEST_PASSWORD, ip="10.7.7.7"), "/", fetch_redirect_response=False
        )

    def test_a_pupil_signs_in_with_their_email_address_as_the_page_invites(self) -> None:
        self.pupil.email = "Pupil.A100@Oakfield.example.sch.uk"
        self.pupil.save(update_fields=["email"])
        client = Client()
        response = attempt(client, "pupil.a100@oakfield.example.sch.uk", TEST_PASSWORD)
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(client.get("/").status_code, 200)

    def test_naming_the_account_by_address_or_username_shares_one_lockout(self) -> None:
        self.teacher.email = "t.persona@oakfield.example.sch.uk"
        self.teacher.save(update_fields=["email"])
        for name in ("teacher", "t.persona@oakfield.example.sch.uk") * 3:
            attempt(Client(), name, "guess-guess", ip="10.9.9.8")
        locked = attempt(Client(), "t.persona@oakfield.example.sch.uk", TEST_PASSWORD, ip="10.9.9.8")
        self.assertEqual(locked.status_code, 429)

    def test_sign_out_ends_the_session_and_says_so(self) -> None:
        client = self.client_for(self.teacher)
        self.assertEqual(client.get("/").status_code, 200)
        response = client.post("/account/logout/", follow=True)
        self.assertContains(response, "You have signed out.")
        self.assertEqual(client.get("/").status_code, 302)

    def test_sign_out_by_get_is_refused(self) -> None:
        client = self.client_for(self.teacher)
        self.assertEqual(client.get("/account/logout/").status_code, 405)
        self.assertEqual(client.get("/").status_code, 200)


class PasswordRuleTests(CustosTestCase):
    def test_eight_characters_with_no_composition_rules_is_enough(self) -> None:
        validate_password("quokkajm", self.teacher)  # no digits, symbols or capitals demanded

    def test_seven_characters_are_refused(self) -> None:
        with self.assertRaises(ValidationError):
            validate_password("qu0kka!", self.teacher)

    def test_common_and_breached_passwords_are_refused(self) -> None:
        for password in ("password1", "qwertyuiop", "iloveyou", "12345678", "Sch00l123"):
            with self.subTest(password=password), self.assertRaises(ValidationError):
                validate_password(password, self.teacher)

    def test_long_passphrases_are_welcome(self) -> None:
        validate_password("purple elephants dance at dawn by the quiet river", self.teacher)


class SessionEndTests(CustosTestCase):
    def test_password_change_ends_other_sessions(self) -> None:
        here, elsewhere = self.client_for(self.teacher), self.client_for(self.teacher)
        response = here.post(
            "/account/password/",
            {
                "old_password": TEST_PASSWORD,
                "new_password1": "a brand new passphrase",
                "new_password2": "a brand new passphrase",
            },
        )
        self.assertRedirects(response, "/account/password/done/", fetch_redirect_response=False)
        self.assertEqual(here.get("/").status_code, 200)
        self.assertEqual(elsewhere.get("/").status_code, 302)

    def test_deactivation_ends_every_session(self) -> None:
        client = self.client_for(self.teacher)
        deactivate(self.teacher, by=self.head, reason="left the school")
        self.assertEqual(client.get("/").status_code, 302)
        self.assertContains(attempt(Client(), "teacher", TEST_PASSWORD), "do not match an account")


class PasswordResetTests(CustosTestCase):
    def test_reset_link_arrives_by_mail_through_the_worker_and_works_once(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = Client().post("/account/password-reset/", {"email": self.teacher.email})
        self.assertRedirects(response, "/account/password-reset/sent/", fetch_redirect_response=False)
        with LocalSMTPServer() as smtp:
            self.assertEqual(run_once(), 1)
        [message] = smtp.to(self.teacher.email)
        link = next(line for line in smtp.body(message).splitlines() if "/password-reset/" in line).strip()
        path = link.split("testserver", 1)[1]
        client = Client()
        form_page = client.get(path, follow=True)
        self.assertContains(form_page, "Choose a new password")
        done = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "another fine passphrase", "new_password2": "another fine passphrase"},
        )
        self.assertRedirects(done, "/account/password-reset/done/", fetch_redirect_response=False)
        self.assertRedirects(
            attempt(Client(), "teacher", "another fine passphrase"), "/", fetch_redirect_response=False
        )
        self.assertContains(Client().get(path, follow=True), "This link no longer works")

    def test_unknown_address_gets_the_same_answer_and_no_mail(self) -> None:
        response = Client().post("/account/password-reset/", {"email": "nobody@example.org"})
        self.assertRedirects(response, "/account/password-reset/sent/", fetch_redirect_response=False)
        self.assertEqual(run_once(), 0)


class TwoFactorTests(CustosTestCase):
    def sign_in_with_password(self, user) -> Client:
        client = Client()
        attempt(client, user.username, TEST_PASSWORD)
        return client

    def test_head_must_pass_a_second_factor_before_any_page(self) -> None:
        client = self.sign_in_with_password(self.head)
        for url in ("/", "/audit/", f"/account/schools/{self.school.pk}/pupils/"):
            with self.subTest(url=url):
                response = client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith("/account/two-factor/"))

    def test_every_privileged_role_needs_the_second_factor_and_a_teacher_does_not(self) -> None:
        for user in (self.head, self.ict_manager, self.dsl, self.deputy_dsl, self.hr, self.exec_head):
            with self.subTest(user=user.username):
                self.assertEqual(self.sign_in_with_password(user).get("/").status_code, 302)
        self.assertEqual(self.sign_in_with_password(self.teacher).get("/").status_code, 200)

    def test_right_code_lets_the_head_in_and_the_same_code_cannot_be_used_twice(self) -> None:
        device = TOTPDevice.objects.get(user=self.head)
        code = f"{totp(device.bin_key):06d}"
        client = self.sign_in_with_password(self.head)
        response = client.post("/account/two-factor/", {"token": code, "next": "/audit/"})
        self.assertRedirects(response, "/audit/", fetch_redirect_response=False)
        self.assertEqual(client.get("/audit/").status_code, 200)
        again = self.sign_in_with_password(self.head).post("/account/two-factor/", {"token": code})
        self.assertContains(again, "That code has just been used to sign you in")
        self.assertContains(again, "Wait for your authenticator app to show the next code")
        self.assertNotContains(again, "That code was not accepted")

    def test_the_code_page_offers_no_staff_menu_before_the_code_is_entered(self) -> None:
        page = self.sign_in_with_password(self.head).get("/account/two-factor/")
        self.assertContains(page, "Enter your sign-in code")
        for behind in ("Audit log", "Official sites", "Dashboard", "Report a concern", "My declarations"):
            self.assertNotContains(page, behind)
        self.assertContains(page, "Sign out")

    def test_wrong_code_is_refused_with_a_clear_message(self) -> None:
        client = self.sign_in_with_password(self.dsl)
        response = client.post("/account/two-factor/", {"token": "000000"})
        self.assertContains(response, "That code was not accepted")
        self.assertContains(client.post("/account/two-factor/", {"token": "12ab56"}), "The code is 6 digits")

    def test_first_sign_in_shows_a_qr_code_to_set_up_the_app(self) -> None:
        TOTPDevice.objects.filter(user=self.ict_manager).delete()
        client = self.sign_in_with_password(self.ict_manager)
        page = client.get("/account/two-factor/")
        self.assertContains(page, "Set up two-factor sign-in")
        self.assertContains(page, "<svg")
        device = TOTPDevice.objects.get(user=self.ict_manager, confirmed=False)
        response = client.post("/account/two-factor/", {"token": f"{totp(device.bin_key):06d}"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        device.refresh_from_db()
        self.assertTrue(device.confirmed)

    def test_next_cannot_send_anyone_to_another_site(self) -> None:
        device = TOTPDevice.objects.get(user=self.head)
        client = self.sign_in_with_password(self.head)
        response = client.post(
            "/account/two-factor/", {"token": f"{totp(device.bin_key):06d}", "next": "https://evil.example/"}
        )
        self.assertRedirects(response, "/", fetch_redirect_response=False)
