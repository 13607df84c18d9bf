"""Host platforms and their minimum ages (7.3, A.2.5): one Trust-wide list, one entry per platform whatever its
capitals, plain errors, and an audit trail naming the editor's school."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from custos.audit.models import AuditEvent
from custos.sites import actions
from custos.sites.models import HostPlatform, Site
from custos.sites.tests.base import SitesTestCase
from custos.test import CustosTransactionTestCase, make_user


class PlatformNameTests(SitesTestCase):
    def test_a25_a_platform_named_alike_in_other_capitals_is_refused_plainly_and_nothing_is_saved(self) -> None:
        before = HostPlatform.objects.count()
        response = self.client_for(self.ict_manager).post(
            "/sites/platforms/new/", {"name": "  facebook ", "minimum_age": "10", "notes": ""}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "There is a problem")
        self.assertContains(response, "Facebook is already listed (minimum age 13): change that entry instead (A.2.5).")
        self.assertContains(response, 'id="id_name-error"')
        self.assertEqual(HostPlatform.objects.count(), before)
        self.assertEqual(HostPlatform.objects.get(name__iexact="facebook").minimum_age, 13)

    def test_a25_the_database_refuses_a_second_entry_whatever_its_capitals(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            HostPlatform.objects.create(name="FACEBOOK", minimum_age=10)

    def test_a25_a_racing_duplicate_reaching_the_action_is_told_which_entry_won(self) -> None:
        with self.assertRaisesMessage(
            actions.SiteError, "Facebook is already listed (minimum age 13): change that entry instead (A.2.5)."
        ):
            actions.save_platform(None, by=self.ict_manager, name="faceBook", minimum_age=10, notes="")

    def test_a25_an_entry_may_correct_its_own_capitals(self) -> None:
        response = self.client_for(self.ict_manager).post(
            f"/sites/platforms/{self.facebook.pk}/", {"name": "FaceBook", "minimum_age": "13", "notes": ""}
        )
        self.assertRedirects(response, "/sites/platforms/")
        self.facebook.refresh_from_db()
        self.assertEqual(self.facebook.name, "FaceBook")

    def test_a25_a_negative_or_silly_minimum_age_gets_a_plain_error(self) -> None:
        for age in ("-1", "22", "12.5", "thirteen"):
            with self.subTest(age=age):
                response = self.client_for(self.ict_manager).post(
                    "/sites/platforms/new/", {"name": "Mastodon", "minimum_age": age, "notes": ""}
                )
                self.assertContains(response, "The minimum age must be a whole number of years from 0 to 21 (A.2.5).")
                self.assertNotContains(response, "Ensure this value")
        self.assertFalse(HostPlatform.objects.filter(name="Mastodon").exists())

    def test_a25_the_list_says_it_is_shared_by_every_school_and_the_audit_names_the_editors_school(self) -> None:
        page = self.client_for(self.ict_manager).get("/sites/platforms/")
        self.assertContains(page, "This list is shared by every school in the Trust.")
        form = self.client_for(self.ict_manager).get("/sites/platforms/new/")
        self.assertContains(form, "This list is shared by every school in the Trust:")
        self.client_for(self.ict_manager).post(
            "/sites/platforms/new/", {"name": "Mastodon", "minimum_age": "16", "notes": "Instance terms."}
        )
        event = AuditEvent.objects.filter(action="site.platform_saved").latest("seq")
        self.assertEqual(event.school_id, self.school.pk)
        self.assertEqual(event.changes["editor_schools"], [self.school.name])
        self.assertEqual(event.changes["scope"], "trust")

    def test_a25_outsiders_and_teachers_cannot_add_platforms(self) -> None:
        for user in (self.teacher, self.outsider, self.pupil, self.external):
            with self.subTest(user=user.username):
                response = self.client_for(user).post(
                    "/sites/platforms/new/", {"name": "Mastodon", "minimum_age": "0", "notes": ""}
                )
                self.assertIn(response.status_code, (302, 403, 404))
        self.assertFalse(HostPlatform.objects.filter(name="Mastodon").exists())


class MergeMigrationTests(CustosTransactionTestCase):
    """Migration 0004 merges entries named alike before 0005 adds the constraint (A.2.5)."""

    def test_a25_migration_keeps_the_highest_minimum_age_and_moves_sites_to_it(self) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate([("custos_sites", "0003_draft_dates_in_any_order")])
        executor.loader.build_graph()
        # Other apps as the database has them now (their later migrations are applied and stay applied).
        others = [n for n in executor.loader.graph.leaf_nodes() if n[0] not in ("custos_sites",)]
        old_apps = executor.loader.project_state([("custos_sites", "0003_draft_dates_in_any_order"), *others]).apps
        OldPlatform = old_apps.get_model("custos_sites", "HostPlatform")
        OldSite = old_apps.get_model("custos_sites", "Site")
        OldSchool = old_apps.get_model("accounts", "School")
        OldTrust = old_apps.get_model("accounts", "Trust")
        proper = OldPlatform.objects.create(name="Snapface", minimum_age=13)
        lower = OldPlatform.objects.create(name="snapface", minimum_age=10, notes="Added in a hurry.")
        trust = OldTrust.objects.create(name="Trust")
        school = OldSchool.objects.create(trust=trust, name="Oakfield", urn="100001")
        author = make_user("tess", school=None)
        site = OldSite.objects.create(school=school, author_id=author.pk, title="Club", host_platform=lower)

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("custos_sites"))

        [kept] = HostPlatform.objects.filter(name__iexact="snapface")
        self.assertEqual((kept.pk, kept.minimum_age), (proper.pk, 13))
        self.assertIn("Merged with “snapface” (minimum age 10)", kept.notes)
        self.assertEqual(Site.objects.get(pk=site.pk).host_platform_id, proper.pk)
        with self.assertRaises(IntegrityError), transaction.atomic():
            HostPlatform.objects.create(name="SNAPFACE", minimum_age=0)
