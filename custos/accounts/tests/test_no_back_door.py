"""No back door (issue 15, item 8): a Django superuser is held to the same rules and second factor as everyone
else; in production the Django admin is absent and ``check --deploy`` fails while an active superuser exists."""

from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.accounts import access
from custos.accounts.checks import check_no_superuser
from custos.accounts.models import Role
from custos.core.checks import check_no_demo_authenticator
from custos.core.demo import DEMO_TOTP_KEY
from custos.test import CustosTestCase, give_role, make_user


class SuperuserHeldToTheRulesTests(CustosTestCase):
    def make_superuser(self):
        return make_user("root", school=self.school, is_superuser=True, is_staff=True)

    def test_a_superuser_with_no_role_may_do_nothing_a_teacher_may_not(self) -> None:
        root = self.make_superuser()
        for perm in ("accounts.view_pupil_legal_name", "accounts.import_roster", "audit.search", "cases.list"):
            with self.subTest(perm=perm):
                self.assertFalse(access.can(root, perm, self.school))
        self.assertFalse(access.can(root, "audit.search"))
        self.assertFalse(root.has_module_perms("accounts"))
        self.assertFalse(root.has_perm("accounts.change_user"))

    def test_a_superuser_is_refused_the_pages_of_the_roles_they_do_not_hold(self) -> None:
        root = self.make_superuser()
        TOTPDevice.objects.create(user=root, name="test", confirmed=True)
        client = self.client_for(root)
        self.assertEqual(client.get(reverse("roster_import", args=[self.school.pk])).status_code, 403)
        self.assertEqual(client.get(reverse("audit_log")).status_code, 403)

    def test_a_superuser_gets_exactly_what_their_role_gives(self) -> None:
        root = self.make_superuser()
        give_role(root, Role.ICT_MANAGER, self.school)
        self.assertTrue(access.can(root, "accounts.import_roster", self.school))
        self.assertFalse(access.can(root, "accounts.import_roster", self.other_school))

    def test_a_superuser_must_pass_the_second_factor_first(self) -> None:
        root = self.make_superuser()
        response = self.client_for(root).get("/")
        self.assertRedirects(response, f"{reverse('two_factor')}?next=/", fetch_redirect_response=False)


class DeployCheckTests(CustosTestCase):
    def test_check_deploy_fails_while_an_active_superuser_exists(self) -> None:
        root = make_user("root", school=None, is_superuser=True)
        errors = check_no_superuser()
        self.assertEqual([e.id for e in errors], ["accounts.E001"])
        self.assertIn("root", errors[0].msg)
        with self.assertRaisesMessage(SystemCheckError, "accounts.E001"):
            call_command("check", deploy=True, fail_level="ERROR")
        root.is_active = False
        root.save()
        self.assertEqual(check_no_superuser(), [])

    def test_check_deploy_passes_with_no_superuser(self) -> None:
        self.assertEqual(check_no_superuser(), [])
        self.assertEqual(check_no_demo_authenticator(), [])

    def test_check_deploy_fails_while_the_demo_authenticator_key_is_in_the_database(self) -> None:
        TOTPDevice.objects.create(user=self.teacher, name="Demo authenticator", key=DEMO_TOTP_KEY, confirmed=True)
        self.assertEqual([e.id for e in check_no_demo_authenticator()], ["core.E001"])

    def test_seed_demo_refuses_outside_the_demo(self) -> None:
        with self.assertRaisesMessage(CommandError, "seed_demo works only in the demo"):
            call_command("seed_demo")
