"""Need-to-know (A.2.3, A.5.6, 9.1–9.3): every persona × every case type × view / edit / search.

The expected sets are written out here by hand, not derived from rules.py, so the test checks the matrix.
"""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.accounts.models import Role
from custos.cases import actions
from custos.cases.tests.base import CasesTestCase
from custos.cases.types import CaseType
from custos.test import give_role, make_user

PERSONAS = (
    "head", "ict_manager", "dsl", "deputy_dsl", "pastoral", "hr", "exec_head",
    "moderator", "teacher", "contractor", "outsider", "other_dsl", "external", "pupil",
)  # fmt: skip

MAY_VIEW = {
    CaseType.SAFEGUARDING: {"dsl", "deputy_dsl"},
    CaseType.ILLEGAL_CONTENT: {"dsl", "deputy_dsl"},
    CaseType.FRIEND_REQUEST: {"pastoral", "dsl", "deputy_dsl"},
    CaseType.MEDIA_ENQUIRY: {"head", "exec_head"},
    CaseType.BREACH: {"head", "hr"},
    CaseType.DISCIPLINARY: {"hr", "head"},
    CaseType.ALLEGATION: {"head", "dsl", "deputy_dsl"},
}
MAY_EDIT = {
    CaseType.SAFEGUARDING: {"dsl", "deputy_dsl"},
    CaseType.ILLEGAL_CONTENT: {"dsl", "deputy_dsl"},
    CaseType.FRIEND_REQUEST: {"pastoral", "dsl", "deputy_dsl"},
    CaseType.MEDIA_ENQUIRY: {"head"},
    CaseType.BREACH: {"head", "hr"},
    CaseType.DISCIPLINARY: {"hr", "head"},
    CaseType.ALLEGATION: {"head", "dsl"},
}
# Who has a cases list at all: anyone holding a case role somewhere (other_dsl's list is Elmwood's, empty here).
MAY_LIST = {"head", "dsl", "deputy_dsl", "pastoral", "hr", "exec_head", "other_dsl"}
NO_REASON_NEEDED = {
    CaseType.SAFEGUARDING: {"dsl", "deputy_dsl"},
    CaseType.ILLEGAL_CONTENT: {"dsl"},
    CaseType.FRIEND_REQUEST: {"pastoral"},
    CaseType.MEDIA_ENQUIRY: {"head"},
    CaseType.BREACH: {"head", "hr"},
    CaseType.DISCIPLINARY: {"hr"},
    CaseType.ALLEGATION: {"head"},
}


class AccessMatrixTests(CasesTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.other_dsl = make_user("other_dsl", school=cls.other_school)
        give_role(cls.other_dsl, Role.DSL, cls.other_school)
        TOTPDevice.objects.create(user=cls.other_dsl, name="test", confirmed=True)

    def setUp(self) -> None:
        super().setUp()
        self.cases = {t: self.open(t, reported_by=self.contractor) for t in CaseType}

    def person(self, name: str):
        return getattr(self, name)

    def test_a23_view_matrix_every_persona_every_case_type(self) -> None:
        for case_type, case in self.cases.items():
            for name in PERSONAS:
                with self.subTest(case_type=case_type, persona=name):
                    client = self.client_for(self.person(name))
                    client.session  # noqa: B018 - a session, so a stated reason can be kept
                    response = client.get(f"/cases/{case.reference}/")
                    if name in MAY_VIEW[case_type]:
                        self.assertEqual(response.status_code, 200)
                        needs_reason = name not in NO_REASON_NEEDED[case_type]
                        self.assertEqual(
                            "Why do you need to open this case?" in response.content.decode(), needs_reason
                        )
                        self.assertNotEqual(needs_reason, case.summary in response.content.decode())
                    else:
                        self.assertIn(response.status_code, (403, 404))
                        self.assertNotIn(case.summary, response.content.decode())

    def test_a23_edit_matrix_every_persona_every_case_type(self) -> None:
        for case_type, case in self.cases.items():
            for name in PERSONAS:
                with self.subTest(case_type=case_type, persona=name):
                    response = self.client_for(self.person(name)).post(
                        f"/cases/{case.reference}/entry/", {"kind": "note", "text": f"note by {name}"}
                    )
                    if name in MAY_EDIT[case_type]:
                        self.assertEqual(response.status_code, 302)
                        self.assertTrue(case.entries.filter(text=f"note by {name}").exists())
                    else:
                        self.assertIn(response.status_code, (403, 404))
                        self.assertFalse(case.entries.filter(text=f"note by {name}").exists())

    def test_a23_search_matrix_results_and_counts_never_reveal_a_case_a_person_may_not_open(self) -> None:
        for name in PERSONAS:
            with self.subTest(persona=name):
                response = self.client_for(self.person(name)).get("/cases/", {"q": "worrying"})
                visible = {t for t, people in MAY_VIEW.items() if name in people}
                if name not in MAY_LIST:
                    self.assertEqual(response.status_code, 403)
                    continue
                content = response.content.decode()
                for case_type, case in self.cases.items():
                    self.assertEqual(case.reference in content, case_type in visible, case_type)
                self.assertEqual(response.context["page"].paginator.count, len(visible))

    def test_the_subject_of_a_case_never_sees_it_whatever_their_role(self) -> None:
        allegation = actions.open_case(
            case_type=CaseType.ALLEGATION,
            school=self.school,
            reported_by=self.teacher,
            summary="Concern about the DSL's messages to a pupil",
            linked_users=[self.dsl],
            source="report_form",
        )
        self.assertEqual(self.client_for(self.dsl).get(f"/cases/{allegation.reference}/").status_code, 404)
        self.assertNotContains(self.client_for(self.dsl).get("/cases/"), allegation.reference)
        self.assertEqual(self.client_for(self.head).get(f"/cases/{allegation.reference}/").status_code, 200)

    def test_a23_every_view_is_audited_with_the_stated_reason_when_not_the_owner(self) -> None:
        from custos.audit.models import AuditEvent

        case = self.cases[CaseType.ALLEGATION]
        self.client_for(self.head).get(f"/cases/{case.reference}/")
        client = self.client_for(self.deputy_dsl)
        self.assertContains(
            client.post(f"/cases/{case.reference}/", {"reason": ""}), "This field is required", status_code=400
        )
        client.post(f"/cases/{case.reference}/", {"reason": "Covering for the DSL on leave"})
        client.get(f"/cases/{case.reference}/")
        client.get(f"/cases/{case.reference}/")
        views = AuditEvent.objects.filter(action="cases.viewed", object_id=str(case.pk)).order_by("seq")
        self.assertEqual(
            [(e.actor_id, e.changes["reason"], e.changes["as_owner"]) for e in views],
            [
                (self.head.pk, "", True),
                (self.deputy_dsl.pk, "Covering for the DSL on leave", False),
                (self.deputy_dsl.pk, "Covering for the DSL on leave", False),
            ],
        )
