"""``manage.py setup_trust`` (issue 15, item 1): a new trust starts from an empty database, its first administrator
signs in through a one-time link, sets a password and enrols their second factor; running it again changes nothing;
a bad file gets one clear error per problem and writes nothing."""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from pathlib import Path

import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, TestCase
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from custos.accounts.models import Role, RoleAssignment, School, SignInLink, Trust, User
from custos.accounts.trust_config import ask_interactively, read_spec
from custos.audit.models import AuditEvent

CONFIG = """
[trust]
name = "Northern Lights Academy Trust"
website = "https://www.northernlights.example.org.uk/"

[[school]]
name = "Oakfield Primary Academy"
urn = "149001"
website = "https://oakfield.example.sch.uk/"
email_domains = ["oakfield.example.sch.uk", "staff.oakfield.example.sch.uk"]
logo = "oakfield.png"

[[school]]
name = "Riverside High School"
urn = "149002"
website = "https://riverside.example.sch.uk/"
email_domains = ["riverside.example.sch.uk"]

[administrator]
first_name = "Iris"
last_name = "Admin"
email = "Iris.Admin@northernlights.example.org.uk"
school = "149002"
"""

BAD_CONFIG = """
[trust]
name = ""
website = "http://insecure.example.org/"

[[school]]
name = "Oakfield Primary Academy"
urn = "14900"
website = "https://oakfield.example.sch.uk/"
email_domains = []
colour = "green"

[[school]]
name = "Riverside High School"
urn = "149002"
website = "riverside"
email_domains = ["riverside"]
logo = "missing.png"

[administrator]
first_name = "Iris"
email = "not-an-address"
school = "999999"
"""


def write_png(path: Path) -> None:
    image = Image.new("RGB", (40, 40), (20, 110, 60))
    exif = Image.Exif()
    exif[0x010E] = "Taken at 12 Acacia Avenue"  # ImageDescription: must not survive cleaning
    image.save(path, format="PNG", exif=exif)


class SetupTrustTestCase(TestCase):
    def setUp(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="custos-setup-"))
        write_png(self.folder / "oakfield.png")

    def config(self, text: str = CONFIG) -> Path:
        path = self.folder / "trust.toml"
        path.write_text(text, encoding="utf-8")
        return path

    def run_setup(self, *args: str) -> str:
        out = io.StringIO()
        call_command("setup_trust", *args, stdout=out)
        return out.getvalue()

    def link_in(self, output: str) -> str:
        found = re.search(r"https?://\S+?(/account/welcome/[^/\s]+/)", output)
        self.assertIsNotNone(found, output)
        assert found is not None
        return found.group(1)


class SetupFromAFileTests(SetupTrustTestCase):
    def test_setup_trust_creates_the_trust_its_schools_and_the_first_administrator(self) -> None:
        output = self.run_setup("--config", str(self.config()))
        trust = Trust.objects.get()
        self.assertEqual(trust.name, "Northern Lights Academy Trust")
        oakfield, riverside = School.objects.order_by("urn")
        self.assertEqual(oakfield.trust, trust)
        self.assertEqual(oakfield.email_domains, ["oakfield.example.sch.uk", "staff.oakfield.example.sch.uk"])
        admin = User.objects.get()
        self.assertEqual(admin.email, "iris.admin@northernlights.example.org.uk")
        self.assertEqual(admin.school, riverside)
        self.assertFalse(admin.has_usable_password())
        self.assertEqual(
            set(RoleAssignment.objects.current().filter(user=admin).values_list("school__urn", "role")),
            {("149001", Role.ICT_MANAGER), ("149002", Role.ICT_MANAGER)},
        )
        self.assertIn("works once, for 24 hours", output)
        self.link_in(output)
        self.assertTrue(AuditEvent.objects.filter(action="trust.created").exists())

    def test_the_logo_is_cleaned_like_every_other_image(self) -> None:
        self.run_setup("--config", str(self.config()))
        oakfield = School.objects.get(urn="149001")
        with oakfield.logo.open("rb") as stored, Image.open(stored) as image:
            self.assertIn(image.format, {"JPEG", "PNG"})  # re-encoded from the pixels
            self.assertNotIn(0x010E, image.getexif())

    def test_running_it_again_with_the_same_file_changes_nothing(self) -> None:
        path = self.config()
        self.run_setup("--config", str(path))
        before = (AuditEvent.objects.count(), SignInLink.objects.count(), RoleAssignment.objects.count())
        logo = School.objects.get(urn="149001").logo.name
        output = self.run_setup("--config", str(path))
        self.assertIn("Nothing changed", output)
        self.assertNotIn("/account/welcome/", output)
        after = (AuditEvent.objects.count(), SignInLink.objects.count(), RoleAssignment.objects.count())
        self.assertEqual(before, after)
        self.assertEqual(School.objects.get(urn="149001").logo.name, logo)

    def test_a_changed_file_updates_only_what_changed(self) -> None:
        self.run_setup("--config", str(self.config()))
        output = self.run_setup(
            "--config", str(self.config(CONFIG.replace("Riverside High School", "Riverside Academy")))
        )
        self.assertIn("Updated school Riverside Academy (149002): name", output)
        self.assertEqual(School.objects.get(urn="149002").name, "Riverside Academy")
        self.assertEqual(User.objects.count(), 1)

    def test_new_link_replaces_the_old_one(self) -> None:
        path = self.config()
        first = self.link_in(self.run_setup("--config", str(path)))
        second = self.link_in(self.run_setup("--config", str(path), "--new-link"))
        self.assertNotEqual(first, second)
        self.assertEqual(Client().get(first).status_code, 410)
        self.assertEqual(Client().get(second).status_code, 200)


class BadFileTests(SetupTrustTestCase):
    def test_a_bad_file_gets_one_clear_error_per_problem_and_writes_nothing(self) -> None:
        with self.assertRaises(CommandError) as raised:
            self.run_setup("--config", str(self.config(BAD_CONFIG)))
        message = str(raised.exception)
        for expected in (
            "Nothing was written.",
            "[trust]: name is missing",
            "[trust]: website 'http://insecure.example.org/' is not an https:// web address",
            "[[school]] 1 (Oakfield Primary Academy): unknown key 'colour'",
            "[[school]] 1 (Oakfield Primary Academy): urn '14900' is not a URN",
            "[[school]] 1 (Oakfield Primary Academy): email_domains must list at least one domain",
            "[[school]] 2 (Riverside High School): website 'riverside' is not an https:// web address",
            "[[school]] 2 (Riverside High School): email_domains: 'riverside' is not an email domain",
            "[[school]] 2 (Riverside High School): logo",
            "[administrator]: last_name is missing",
            "[administrator]: email 'not-an-address' is not an email address",
            "[administrator]: school '999999' is not the urn of a [[school]] in this file",
        ):
            with self.subTest(expected=expected):
                self.assertIn(expected, message)
        self.assertIn("11 problem(s)", message)
        self.assertEqual(message.count("urn '14900'"), 1)
        self.assertFalse(Trust.objects.exists())
        self.assertFalse(School.objects.exists())
        self.assertFalse(User.objects.exists())
        self.assertFalse(AuditEvent.objects.exists())

    def test_a_file_that_is_not_toml_says_where(self) -> None:
        with self.assertRaisesMessage(CommandError, "is not valid TOML"):
            self.run_setup("--config", str(self.config("[trust\nname = 'x'")))
        self.assertFalse(Trust.objects.exists())

    def test_a_missing_file_is_named(self) -> None:
        with self.assertRaisesMessage(CommandError, "cannot be read"):
            self.run_setup("--config", str(self.folder / "nothing.toml"))

    def test_a_logo_that_is_not_an_image_is_refused(self) -> None:
        (self.folder / "oakfield.png").write_bytes(b"<script>alert(1)</script>")
        with self.assertRaisesMessage(CommandError, "logo"):
            self.run_setup("--config", str(self.config()))
        self.assertFalse(School.objects.exists())

    def test_a_second_trust_with_another_name_is_refused_and_nothing_written(self) -> None:
        self.run_setup("--config", str(self.config()))
        events = AuditEvent.objects.count()
        other = CONFIG.replace("Northern Lights Academy Trust", "Southern Trust").replace("149001", "150001")
        with self.assertRaisesMessage(CommandError, "already holds the trust 'Northern Lights Academy Trust'"):
            self.run_setup("--config", str(self.config(other)))
        self.assertEqual(Trust.objects.count(), 1)
        self.assertFalse(School.objects.filter(urn="150001").exists())
        self.assertEqual(AuditEvent.objects.count(), events)

    def test_without_a_file_or_a_terminal_it_says_what_to_give(self) -> None:
        with self.assertRaisesMessage(CommandError, "Give --config FILE.toml"):
            self.run_setup()


class InteractiveTests(SetupTrustTestCase):
    def test_the_questions_build_the_same_trust_and_ask_again_after_a_bad_answer(self) -> None:
        answers = iter(
            [
                "Northern Lights Academy Trust",
                "https://www.northernlights.example.org.uk/",
                "Oakfield Primary Academy",
                "1490",  # not a URN: asked again
                "149001",
                "https://oakfield.example.sch.uk/",
                "oakfield.example.sch.uk",
                "",  # no logo
                "no",
                "Iris",
                "Admin",
                "iris.admin@northernlights.example.org.uk",
                "",  # the default job title
                "",  # the trust's central team
            ]
        )
        said: list[str] = []
        spec = read_spec(ask_interactively(lambda prompt: next(answers), said.append), base_dir=self.folder)
        self.assertTrue(any("not a URN" in line for line in said))
        self.assertEqual([s.urn for s in spec.schools], ["149001"])
        self.assertEqual(spec.administrator.job_title, "ICT Manager")
        self.assertEqual(spec.administrator.school_urn, "")


class FirstSignInTests(SetupTrustTestCase):
    def test_the_administrator_sets_a_password_and_enrols_totp_through_the_link(self) -> None:
        link = self.link_in(self.run_setup("--config", str(self.config())))
        browser = Client()
        page = browser.get(link)
        self.assertContains(page, "Welcome to Custos, Iris")
        response = browser.post(
            link, {"new_password1": "lantern orchard pebble", "new_password2": "lantern orchard pebble"}
        )
        self.assertRedirects(response, "/account/two-factor/", fetch_redirect_response=False)
        enrol = browser.get("/account/two-factor/")
        self.assertContains(enrol, "Set up two-factor sign-in")
        admin = User.objects.get()
        device = TOTPDevice.objects.get(user=admin, confirmed=False)
        response = browser.post("/account/two-factor/", {"token": f"{totp(device.bin_key):06d}"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertTrue(TOTPDevice.objects.get(user=admin).confirmed)
        admin.refresh_from_db()
        self.assertTrue(admin.check_password("lantern orchard pebble"))

    def test_the_link_works_only_once(self) -> None:
        link = self.link_in(self.run_setup("--config", str(self.config())))
        password = {"new_password1": "lantern orchard pebble", "new_password2": "lantern orchard pebble"}
        Client().post(link, password)
        again = Client().post(link, {"new_password1": "another long phrase", "new_password2": "another long phrase"})
        self.assertEqual(again.status_code, 410)
        self.assertContains(again, "This link no longer works", status_code=410)
        self.assertTrue(User.objects.get().check_password("lantern orchard pebble"))

    def test_the_link_expires_after_24_hours(self) -> None:
        link = self.link_in(self.run_setup("--config", str(self.config())))
        with time_machine.travel(timezone.now() + dt.timedelta(hours=23, minutes=59)):
            self.assertEqual(Client().get(link).status_code, 200)
        with time_machine.travel(timezone.now() + dt.timedelta(hours=24, minutes=1)):
            self.assertEqual(Client().get(link).status_code, 410)
            output = self.run_setup("--config", str(self.config()))
        self.assertIn("their link has expired: run again with --new-link", output)

    def test_a_weak_password_is_refused_and_the_link_still_works(self) -> None:
        link = self.link_in(self.run_setup("--config", str(self.config())))
        response = Client().post(link, {"new_password1": "password", "new_password2": "password"})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(User.objects.get().has_usable_password())
        self.assertEqual(Client().get(link).status_code, 200)
