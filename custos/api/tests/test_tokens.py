"""Integration tokens (issue 10): the ICT Manager creates and revokes them; the secret is shown once."""

from __future__ import annotations

import hashlib

from custos.api import actions
from custos.api.models import ApiToken
from custos.api.tests.base import ApiTestCase
from custos.audit.models import AuditEvent


class TokenPageTests(ApiTestCase):
    def test_ict_manager_creates_a_token_and_sees_the_secret_once(self) -> None:
        client = self.client_for(self.ict_manager)
        response = client.post(
            "/api/tokens/", {"school": self.school.pk, "name": "Facebook export", "scopes": ["screen", "sites:read"]}
        )
        self.assertEqual(response.status_code, 200)
        secret = response.context["secret"]
        self.assertContains(response, secret)
        self.assertIn("no-store", response["Cache-Control"])
        token = ApiToken.objects.get(name="Facebook export")
        self.assertEqual(token.secret_sha256, hashlib.sha256(secret.encode()).hexdigest())
        self.assertEqual(token.scopes, ["screen", "sites:read"])
        self.assertNotContains(client.get("/api/tokens/"), secret)
        self.assertTrue(AuditEvent.objects.filter(action="api.token_created", object_id=str(token.pk)).exists())

    def test_a_token_needs_a_name_and_a_scope(self) -> None:
        response = self.client_for(self.ict_manager).post("/api/tokens/", {"school": self.school.pk, "name": " "})
        self.assertContains(response, "There is a problem")
        self.assertContains(response, "Choose at least one scope.")
        self.assertFalse(ApiToken.objects.exists())

    def test_two_live_tokens_at_one_school_cannot_share_a_name(self) -> None:
        self.token(name="Export")
        response = self.client_for(self.ict_manager).post(
            "/api/tokens/", {"school": self.school.pk, "name": "Export", "scopes": ["screen"]}
        )
        self.assertContains(response, "already in use")
        self.assertEqual(ApiToken.objects.count(), 1)

    def test_only_the_ict_manager_reaches_the_token_pages(self) -> None:
        for user in (self.head, self.dsl, self.teacher, self.moderator, self.outsider, self.pupil, self.external):
            self.assertEqual(self.client_for(user).get("/api/tokens/").status_code, 403, user)
        self.assertEqual(self.client_for(self.ict_manager).get("/api/tokens/").status_code, 200)

    def test_the_ict_manager_cannot_create_a_token_for_another_school(self) -> None:
        response = self.client_for(self.ict_manager).post(
            "/api/tokens/", {"school": self.other_school.pk, "name": "Sneaky", "scopes": ["screen"]}
        )
        self.assertContains(response, "Select a valid choice")
        self.assertFalse(ApiToken.objects.exists())

    def test_outsiders_cannot_revoke_a_token(self) -> None:
        self.token()
        token = ApiToken.objects.get()
        for user in (self.outsider, self.head, self.teacher):
            self.assertEqual(self.client_for(user).post(f"/api/tokens/{token.pk}/revoke/").status_code, 404, user)
        token.refresh_from_db()
        self.assertIsNone(token.revoked_at)

    def test_revoking_stops_the_token_at_once_and_is_audited(self) -> None:
        secret = self.token()
        token = ApiToken.objects.get()
        self.assertEqual(self.api(secret).get("/api/v1/sites").status_code, 200)
        response = self.client_for(self.ict_manager).post(f"/api/tokens/{token.pk}/revoke/", follow=True)
        self.assertContains(response, "is revoked")
        refused = self.api(secret).get("/api/v1/sites")
        self.assertEqual(refused.status_code, 401)
        self.assertIn("revoked", refused.json()["message"])
        self.assertTrue(AuditEvent.objects.filter(action="api.token_revoked", object_id=str(token.pk)).exists())

    def test_revoking_twice_tells_the_second_person_who_won(self) -> None:
        self.token()
        token = ApiToken.objects.get()
        stale = ApiToken.objects.get()
        actions.revoke_token(token, by=self.ict_manager)
        with self.assertRaisesMessage(actions.AlreadyRevoked, "already revoked by"):
            actions.revoke_token(stale, by=self.ict_manager)
        self.assertEqual(AuditEvent.objects.filter(action="api.token_revoked").count(), 1)

    def test_token_list_query_count_does_not_grow_with_tokens(self) -> None:
        client = self.client_for(self.ict_manager)
        self.token(name="One")
        client.get("/api/tokens/")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client.get("/api/tokens/")
        for n in range(5):
            self.token(name=f"More {n}")
        with self.assertNumQueries(len(few)):
            client.get("/api/tokens/")

    def test_nav_shows_api_tokens_only_to_ict_managers(self) -> None:
        self.assertContains(self.client_for(self.ict_manager).get("/"), "API tokens")
        self.assertNotContains(self.client_for(self.teacher).get("/"), "API tokens")
