"""Section 6 (6.1, 6.8–6.10, 6.12, 6.15): a private check of one's own profile text that stores nothing."""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from custos.test import CustosTestCase

SECRET = (
    "I am a teacher at Oakfield Academy. Email j.bloggs@oakfield.example.sch.uk or ring 07700 900123 zq-unique-marker"
)


def row_counts() -> dict[str, int]:
    """Rows in every table of every installed model (that has a table yet)."""
    tables = set(connection.introspection.table_names())
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.db_table in tables
    }


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + repr(record.args) + repr(getattr(record, "request", "")))


class PersonalCheckTests(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.school.email_domain = "oakfield.example.sch.uk"
        self.school.save()

    def test_61_the_check_shows_findings_with_clauses_and_advice(self) -> None:
        page = self.client_for(self.teacher).post("/staff/personal-check/", {"text": SECRET})
        self.assertContains(page, 'href="/policy/clause/6.1/"')
        self.assertContains(page, 'href="/policy/clause/6.10/"')
        self.assertContains(page, "6.15")
        self.assertContains(page, "6.1: Remove your job or the school&#x27;s name")
        self.assertContains(page, "Check this")

    def test_612_the_schools_name_or_brand_on_personal_webspace_is_found(self) -> None:
        page = self.client_for(self.teacher).post(
            "/staff/personal-check/", {"text": "Loving my Oakfield Academy hoodie"}
        )
        self.assertContains(page, 'href="/policy/clause/6.12/"')
        self.assertContains(page, "6.12: Remove school or Trust logos")

    def test_68_a_pupils_name_on_personal_webspace_is_found(self) -> None:
        page = self.client_for(self.teacher).post(
            "/staff/personal-check/", {"text": "Jameson Rivers-Legal was so funny in class today"}
        )
        self.assertContains(page, 'href="/policy/clause/6.8/"')
        self.assertContains(page, "6.8: Take out anything you know through work")

    def test_61_clean_text_is_reported_clean(self) -> None:
        page = self.client_for(self.contractor).post("/staff/personal-check/", {"text": "Walking the dog today."})
        self.assertContains(page, "The check found nothing against the policy")

    def test_61_the_personal_check_stores_nothing_and_logs_nothing(self) -> None:
        client = self.client_for(self.teacher)
        before = row_counts()
        handler = _Capture()
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            with CaptureQueriesContext(connection) as queries:
                response = client.post("/staff/personal-check/", {"text": SECRET})
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(row_counts(), before)
        self.assertFalse(any("zq-unique-marker" in line for line in handler.lines))
        self.assertFalse(any("zq-unique-marker" in q["sql"] for q in queries.captured_queries))
        self.assertFalse(any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE")) for q in queries))
        self.assertNotIn("zq-unique-marker", str(dict(client.session)))
        self.assertIn("no-store", response["Cache-Control"])

    def test_61_the_page_is_for_staff_only(self) -> None:
        self.assertEqual(self.client_for(self.pupil).post("/staff/personal-check/", {"text": "x"}).status_code, 403)
        self.assertEqual(self.client_for(self.external).get("/staff/personal-check/").status_code, 403)
        self.assertEqual(self.client_for(self.outsider).get("/staff/personal-check/").status_code, 200)

    def test_61_empty_text_gets_a_clear_error(self) -> None:
        page = self.client_for(self.teacher).post("/staff/personal-check/", {"text": ""})
        self.assertContains(page, "Your profile or post text: This field is required.")
