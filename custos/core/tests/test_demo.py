"""The demo trust: two schools, every role filled, about 30 staff and 300 pupils; the same every time."""

import datetime as dt
import tempfile

import pytest
from django.test import SimpleTestCase, TestCase

from custos.accounts.models import Kind, Pupil, Role, RoleAssignment, School, User
from custos.audit.verify import first_break
from custos.core.demo import seed
from custos.core.tests.test_settings import manage

TODAY = dt.date(2026, 11, 23)


class DemoSeedTests(TestCase):
    def test_the_demo_trust_has_every_role_at_both_schools(self) -> None:
        counts = seed(today=TODAY)
        self.assertEqual(counts["schools"], 2)
        self.assertEqual(counts["pupils"], 300)
        self.assertGreaterEqual(counts["staff"], 28)
        for school in School.objects.all():
            roles = set(RoleAssignment.objects.current(TODAY).filter(school=school).values_list("role", flat=True))
            self.assertGreaterEqual(
                roles, {Role.HEAD_OF_SCHOOL, Role.ICT_MANAGER, Role.DSL, Role.DEPUTY_DSL, Role.AHT_PASTORAL}
            )
        trust_roles = set(RoleAssignment.objects.filter(school=None).values_list("role", flat=True))
        self.assertEqual(trust_roles, {Role.EXECUTIVE_HEADTEACHER, Role.HR})
        self.assertTrue(User.objects.filter(kind=Kind.PUPIL).exists())

    def test_seeding_again_keeps_existing_data_and_adds_nothing(self) -> None:
        seed(today=TODAY)
        before = (
            User.objects.count(),
            Pupil.objects.count(),
            list(Pupil.objects.values_list("upn", flat=True)),
        )
        teacher = User.objects.get(username="teacher@oakfield.example.sch.uk")
        teacher.job_title = "Head of Year 5"
        teacher.save()
        seed(today=TODAY)
        after = (
            User.objects.count(),
            Pupil.objects.count(),
            list(Pupil.objects.values_list("upn", flat=True)),
        )
        self.assertEqual(before, after)
        self.assertEqual(User.objects.get(pk=teacher.pk).job_title, "Head of Year 5")
        self.assertIsNone(first_break()[1])

    def test_the_demo_is_deterministic(self) -> None:
        seed(today=TODAY)
        names = list(Pupil.objects.order_by("upn").values_list("legal_first_name", "legal_last_name", "date_of_birth"))
        from custos.community.models import Membership

        Membership.objects.filter(user__kind=Kind.PUPIL).delete()  # the Reading Club members, to start again
        Pupil.objects.all().update(user=None)
        User.objects.filter(kind=Kind.PUPIL).delete()
        Pupil.objects.all().delete()
        seed(today=TODAY)
        again = list(Pupil.objects.order_by("upn").values_list("legal_first_name", "legal_last_name", "date_of_birth"))
        self.assertEqual(names, again)

    def test_demo_staff_have_confirmed_the_policy_except_the_new_starter(self) -> None:
        from custos.policy.actions import DEFAULT_POLICY, import_policy
        from custos.test import sign_in

        import_policy(DEFAULT_POLICY.read_text(), label="2026.1", by=None)
        seed(today=TODAY)
        from django.test import Client

        teacher = sign_in(Client(), User.objects.get(username="teacher@oakfield.example.sch.uk"))
        self.assertEqual(teacher.get("/").status_code, 200)
        trainee = sign_in(Client(), User.objects.get(username="trainee@oakfield.example.sch.uk"))
        self.assertRedirects(trainee.get("/"), "/policy/acknowledge/?next=/", fetch_redirect_response=False)

    def test_a26_the_demo_pupils_can_walk_the_pupil_journey_in_their_reading_club(self) -> None:
        from django.utils import timezone

        from custos.community.models import Membership
        from custos.sites.models import Site, SiteState

        seed(today=TODAY)
        for school in School.objects.all():
            club = Site.objects.get(school=school, title__endswith="Reading Club")
            self.assertEqual(club.state, SiteState.LIVE)
            pupils = User.objects.filter(kind=Kind.PUPIL, school=school)
            self.assertGreaterEqual(pupils.count(), 5)
            for user in pupils:
                age = user.pupil.age_on(timezone.localdate())
                self.assertTrue(club.contributors_age_min <= age <= club.contributors_age_max, (user, age))
                self.assertTrue(Membership.objects.filter(site=club, user=user, terms_accepted_at=None).exists())


class DemoTotpCommandTests(SimpleTestCase):
    """The README's `.venv/bin/python manage.py demo_totp`, typed exactly so in a fresh shell (issue 15, item 9)."""

    @pytest.mark.once
    def test_demo_totp_works_exactly_as_the_readme_writes_it(self) -> None:
        with tempfile.TemporaryDirectory() as var:
            setup = {"CUSTOS_VAR_DIR": var, "CUSTOS_DEBUG": "true"}
            self.assertEqual(manage("migrate", "-v0", **setup).returncode, 0)
            made = manage(
                "shell",
                "-c",
                "from custos.accounts.models import User; from custos.core.demo import DEMO_TOTP_KEY; "
                "u = User.objects.create_user('ict@oakfield.example.sch.uk', email='ict@oakfield.example.sch.uk'); "
                "u.totpdevice_set.create(name='Demo authenticator', key=DEMO_TOTP_KEY, confirmed=True)",
                **setup,
            )
            self.assertEqual(made.returncode, 0, made.stderr)
            result = manage("demo_totp", CUSTOS_VAR_DIR=var)  # no CUSTOS_DEBUG typed
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertNotIn("ImproperlyConfigured", result.stderr)
            self.assertRegex(result.stdout, r"^\d{6}  \(valid")

    def test_demo_totp_before_the_demo_is_set_up_says_what_to_run(self) -> None:
        with tempfile.TemporaryDirectory() as var:
            result = manage("demo_totp", CUSTOS_VAR_DIR=var)
        self.assertNotEqual(result.returncode, 0)
        self.assertNotIn("ImproperlyConfigured", result.stderr)
        self.assertIn("python3 bootstrap.py demo", result.stderr)

    def test_demo_totp_refuses_where_debug_is_explicitly_off(self) -> None:
        with tempfile.TemporaryDirectory() as var:
            result = manage("demo_totp", CUSTOS_VAR_DIR=var, CUSTOS_DEBUG="false", CUSTOS_SECRET_KEY="k" * 60)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("works only in the demo", result.stderr)
