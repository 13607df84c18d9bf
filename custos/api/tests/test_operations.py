"""The REST API's operations (issue 10): same rules as the pages, scoped to the token's school, clear errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.core import mail
from django.utils import timezone

from custos.api.models import ExternalComment
from custos.api.tests.base import ApiTestCase
from custos.community.models import Contribution, ContributionState
from custos.sites import actions as site_actions
from custos.tasks.worker import run_once


class AuthenticationTests(ApiTestCase):
    def test_no_token_gets_401_with_a_bearer_challenge(self) -> None:
        response = self.api(None).get("/api/v1/sites")
        self.assertEqual(response.status_code, 401)
        self.assertIn("Bearer", response["WWW-Authenticate"])
        self.assertEqual(set(response.json()), {"error", "message", "clause", "fields"})

    def test_an_unknown_token_gets_401(self) -> None:
        self.assertEqual(self.api("cst_not-a-real-token").get("/api/v1/sites").status_code, 401)

    def test_a_token_without_the_scope_gets_403_naming_the_scope(self) -> None:
        secret = self.token(scopes=["screen"])
        response = self.api(secret).get("/api/v1/sites")
        self.assertEqual(response.status_code, 403)
        self.assertIn("sites:read", response.json()["message"])

    def test_a_session_signed_in_head_is_not_an_api_client(self) -> None:
        self.assertEqual(self.client_for(self.head).get("/api/v1/sites").status_code, 401)

    def test_the_token_is_throttled_per_minute_with_a_clear_429(self) -> None:
        secret = self.token()
        client = self.api(secret)
        with (
            self.settings(CUSTOS_API_REQUESTS_PER_MINUTE=3),
            time_machine.travel(timezone.now(), tick=False) as clock,
        ):
            statuses = [client.get("/api/v1/queue-counts").status_code for _ in range(4)]
            self.assertEqual(statuses, [200, 200, 200, 429])
            self.assertIn("wait a minute", client.get("/api/v1/queue-counts").json()["message"])
            clock.shift(dt.timedelta(seconds=61))
            self.assertEqual(client.get("/api/v1/queue-counts").status_code, 200)


class ScreenTests(ApiTestCase):
    def test_screen_returns_findings_with_clauses_spans_and_reasons(self) -> None:
        secret = self.token(scopes=["screen"])
        text = "Call me on 07700 900123 after school"
        response = self.api(secret).post(
            "/api/v1/screen", {"text": text, "author_kind": "staff"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertTrue(body["findings"])
        finding = body["findings"][0]
        self.assertEqual(set(finding), {"category", "kind", "severity", "clauses", "start", "end", "spans", "reason"})
        self.assertTrue(finding["clauses"])
        self.assertIn("07700", text[finding["start"] : finding["end"]])
        self.assertNotEqual(body["worst_severity"], "clean")

    def test_screen_knows_the_schools_roster(self) -> None:
        secret = self.token(scopes=["screen"])
        response = self.api(secret).post(
            "/api/v1/screen", {"text": "Well done Jameson Rivers-Legal!"}, content_type="application/json"
        )
        self.assertIn("pupil_identification", [f["category"] for f in response.json()["findings"]])

    def test_a_clean_text_is_clean(self) -> None:
        secret = self.token(scopes=["screen"])
        response = self.api(secret).post(
            "/api/v1/screen", {"text": "Lovely sunny day."}, content_type="application/json"
        )
        self.assertEqual(response.json(), {"worst_severity": "clean", "clauses": [], "findings": []})

    def test_screen_refuses_oversized_text_with_a_clear_400(self) -> None:
        secret = self.token(scopes=["screen"])
        response = self.api(secret).post("/api/v1/screen", {"text": "a" * 20_001}, content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("text", response.json()["fields"])
        self.assertIn("20000", response.json()["message"])

    def test_screen_refuses_bad_json_and_wrong_types(self) -> None:
        client = self.api(self.token(scopes=["screen"]))
        for body, content_type in (("{not json", "application/json"), ("text=hi", "application/x-www-form-urlencoded")):
            response = client.post("/api/v1/screen", body, content_type=content_type)
            self.assertIn(response.status_code, (400, 415))
            self.assertTrue(response.json()["message"])
        response = client.post(
            "/api/v1/screen", {"text": "hi", "author_kind": "robot"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("author_kind", response.json()["fields"])


class SitesTests(ApiTestCase):
    def test_sites_lists_only_the_tokens_school_with_named_teams(self) -> None:
        ours = self.approved(title="Science Club")
        secret = self.token(scopes=["sites:read"])
        other = self.token(scopes=["sites:read"], school=self.other_school, name="Elmwood")
        body = self.api(secret).get("/api/v1/sites").json()
        self.assertEqual(body["school"], "Oakfield Academy")
        self.assertEqual([s["id"] for s in body["sites"]], [ours.pk])
        self.assertEqual(len(body["sites"][0]["moderators"]), 2)
        self.assertEqual(self.api(other).get("/api/v1/sites").json()["sites"], [])

    def test_sites_filters_by_state_and_refuses_unknown_states(self) -> None:
        self.draft(title="Draft only")
        secret = self.token(scopes=["sites:read"])
        self.assertEqual(self.api(secret).get("/api/v1/sites").json()["sites"], [])
        drafts = self.api(secret).get("/api/v1/sites?state=draft").json()["sites"]
        self.assertEqual([s["title"] for s in drafts], ["Draft only"])
        self.assertEqual(self.api(secret).get("/api/v1/sites?state=nonsense").status_code, 400)

    def test_sites_query_count_does_not_grow_with_sites(self) -> None:
        secret = self.token(scopes=["sites:read"])
        self.approved(title="Site 0")
        client = self.api(secret)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get("/api/v1/sites")  # opens the token's rate window
        with CaptureQueriesContext(connection) as few:
            client.get("/api/v1/sites")
        for n in range(1, 5):
            self.approved(title=f"Site {n}")
        with self.assertNumQueries(len(few)):
            client.get("/api/v1/sites")


def comments_body(site: Any, *items: dict[str, Any]) -> dict[str, Any]:
    return {"site": site.pk, "comments": list(items)}


class ThirdPartyCommentTests(ApiTestCase):
    def test_a55_comments_are_screened_and_queued_for_the_sites_moderators(self) -> None:
        site = self.third_party_site()
        secret = self.token(scopes=["comments:submit", "queue:read"])
        body = comments_body(
            site,
            {"external_id": "fb-1", "text": "Great trip!", "author_name": "A parent"},
            {"external_id": "fb-2", "text": "Ring me on 07700 900123", "posted_at": "2025-01-02T10:00:00Z"},
        )
        response = self.api(secret).post("/api/v1/third-party-comments", body, content_type="application/json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["received"], 2)
        stored = {c.external_id: c for c in ExternalComment.objects.all()}
        self.assertEqual(stored["fb-1"].severity, "clean")
        self.assertNotEqual(stored["fb-2"].severity, "clean")
        self.assertTrue(stored["fb-2"].findings[0]["clauses"])
        queues = self.api(secret).get("/api/v1/queue-counts").json()["queues"]
        queue = next(q for q in queues if q["site"] == site.pk)
        self.assertEqual(queue["pending"]["total"], 2)
        self.assertIsNotNone(queue["oldest_waiting_since"])

    def test_a55_sending_the_same_comment_again_changes_nothing(self) -> None:
        site = self.third_party_site()
        client = self.api(self.token(scopes=["comments:submit"]))
        body = comments_body(site, {"external_id": "fb-1", "text": "Hello"})
        client.post("/api/v1/third-party-comments", body, content_type="application/json")
        again = client.post("/api/v1/third-party-comments", body, content_type="application/json").json()
        self.assertEqual((again["received"], again["duplicates"]), (0, 1))
        self.assertEqual(ExternalComment.objects.count(), 1)

    def test_a56_escalations_are_mailed_to_the_sites_moderators_at_once(self) -> None:
        site = self.third_party_site()
        client = self.api(self.token(scopes=["comments:submit"]))
        text = "I will kill myself tonight"
        response = client.post(
            "/api/v1/third-party-comments",
            comments_body(site, {"external_id": "fb-9", "text": text}),
            content_type="application/json",
        )
        self.assertEqual(response.json()["comments"][0]["severity"], "escalate", response.json())
        while run_once():
            pass
        subjects = [m.subject for m in mail.outbox]
        self.assertTrue(any("A.5.6" in s for s in subjects), subjects)

    def test_a55_school_hosted_sites_are_refused_with_the_clause(self) -> None:
        site = self.approved()
        client = self.api(self.token(scopes=["comments:submit"]))
        response = client.post(
            "/api/v1/third-party-comments",
            comments_body(site, {"external_id": "x", "text": "hi"}),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["clause"], "A.5.5")
        self.assertFalse(ExternalComment.objects.exists())

    def test_a32_unapproved_sites_are_refused(self) -> None:
        site = self.draft(hosting="third_party", host_platform=self.facebook, submit=True)
        client = self.api(self.token(scopes=["comments:submit"]))
        response = client.post(
            "/api/v1/third-party-comments",
            comments_body(site, {"external_id": "x", "text": "hi"}),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["clause"], "A.3.2")

    def test_another_schools_site_is_not_found(self) -> None:
        site = self.third_party_site()
        outsider_token = self.token(scopes=["comments:submit"], school=self.other_school, name="Elmwood")
        response = self.api(outsider_token).post(
            "/api/v1/third-party-comments",
            comments_body(site, {"external_id": "x", "text": "hi"}),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(ExternalComment.objects.exists())

    def test_bad_batches_change_nothing(self) -> None:
        site = self.third_party_site()
        client = self.api(self.token(scopes=["comments:submit"]))
        bad = [
            comments_body(site),
            comments_body(site, {"external_id": "x", "text": "a" * 10_001}),
            comments_body(site, {"external_id": "x", "text": "ok", "posted_at": "0001-01-01T00:00:00+05:00"}),
            comments_body(site, {"external_id": "x", "text": "nul\x00byte"}),
            {"site": 2**70, "comments": [{"external_id": "x", "text": "hi"}]},
            comments_body(site, *({"external_id": str(n), "text": "hi"} for n in range(101))),
        ]
        for body in bad:
            response = client.post("/api/v1/third-party-comments", body, content_type="application/json")
            self.assertEqual(response.status_code, 400, (body, response.content))
            self.assertTrue(response.json()["fields"])
        self.assertFalse(ExternalComment.objects.exists())


class QueueCountTests(ApiTestCase):
    def test_a54_queue_counts_pending_contributions_by_severity(self) -> None:
        site = self.approved()
        site_actions.go_live(site, by=None)
        Contribution.objects.create(site=site, author=self.teacher, body="a", state=ContributionState.PENDING)
        Contribution.objects.create(
            site=site, author=self.teacher, body="b", state=ContributionState.PENDING, severity_rank=2
        )
        Contribution.objects.create(site=site, author=self.teacher, body="c", state=ContributionState.APPROVED)
        secret = self.token(scopes=["queue:read"])
        queues = self.api(secret).get("/api/v1/queue-counts").json()["queues"]
        self.assertEqual(queues[0]["pending"], {"clean": 1, "warn": 0, "block": 1, "escalate": 0, "total": 2})
        other = self.token(scopes=["queue:read"], school=self.other_school, name="Elmwood")
        self.assertEqual(self.api(other).get("/api/v1/queue-counts").json()["queues"], [])

    def test_queue_counts_take_three_queries_plus_the_tokens_however_many_sites(self) -> None:
        secret = self.token(scopes=["queue:read"])
        client = self.api(secret)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.third_party_site(title="One")
        client.get("/api/v1/queue-counts")  # opens the token's rate window
        with CaptureQueriesContext(connection) as few:
            client.get("/api/v1/queue-counts")
        for n in range(3):
            self.third_party_site(title=f"More {n}")
        with self.assertNumQueries(len(few)):
            client.get("/api/v1/queue-counts")


class DocsTests(ApiTestCase):
    def test_the_openapi_description_and_the_readable_page_are_served(self) -> None:
        schema = self.client.get("/api/schema/?format=json")
        self.assertEqual(schema.status_code, 200)
        paths = schema.json()["paths"]
        self.assertEqual(
            set(paths), {"/api/v1/screen", "/api/v1/sites", "/api/v1/queue-counts", "/api/v1/third-party-comments"}
        )
        page = self.client.get("/api/docs/")
        self.assertContains(page, "POST /api/v1/third-party-comments")
        self.assertContains(page, '<th scope="col">Status</th>', html=False)
        self.assertNotIn("cdn", page.content.decode().lower())
