"""The access matrix: every persona and a signed-out visitor against every named page and API operation in the
URLconf, each with a real object of its kind. Only the personas the table names get in; everyone else is told
403 or 404 (a signed-out visitor is sent to sign in; an API caller without a token is told 401).

A new page with no row in ``ROWS`` fails ``test_every_page_in_the_urlconf_has_a_row``: decide who may use it, then
add it. Privileged staff acknowledged the policy in force (5.1) and passed their second factor."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from custos.accounts.tests.test_access import url_patterns
from custos.api import actions as api_actions
from custos.api.models import Scope
from custos.cases import actions as case_actions
from custos.cases import oncall
from custos.cases.actions import IncomingFile
from custos.cases.models import Escalation, Evidence
from custos.cases.types import CaseType
from custos.community import actions as community
from custos.community.images import clean_image
from custos.community.models import Membership
from custos.community.tests.base import SpaceTestCase
from custos.moderation import actions as moderation
from custos.monitoring import actions as monitoring
from custos.monitoring.models import Category
from custos.notify import actions as notify
from custos.policy import actions as policy
from custos.privacy import actions as privacy
from custos.sites import actions as sites
from custos.sites.models import Hosting, HostPlatform, Site
from custos.sites.tests.base import sign, valid_fields
from custos.staff.actions import start_post
from custos.staff.tests.helpers import approved_site
from custos.tasks.worker import run_once

ANON = "signed_out"
PERSONAS = (
    "head", "ict_manager", "dsl", "deputy_dsl", "pastoral", "hr", "exec_head", "moderator", "teacher", "contractor",
    "outsider", "external", "pupil",
)  # fmt: skip
EVERYONE = frozenset({*PERSONAS, ANON})
SIGNED_IN = frozenset(PERSONAS)
STAFF = SIGNED_IN - {"external", "pupil"}
OAKFIELD_STAFF = STAFF - {"outsider", "exec_head"}
ROLE_HOLDERS = frozenset({"head", "ict_manager", "dsl", "deputy_dsl", "pastoral", "hr"})
WELFARE = frozenset({"head", "dsl", "deputy_dsl", "pastoral", "hr", "exec_head"})
# The space's team (SpaceTestCase): teacher administers it, moderator moderates it; pupil and external are members.
SPACE_MEMBERS = frozenset({"teacher", "moderator", "pupil", "external"})
# The sites awaiting decisions: teacher wrote them; teacher and moderator administer them, moderator and contractor
# moderate them; the school's ICT Manager, Head and DSL oversee the school's sites, the Executive Head the Trust's.
SITE_VIEWERS = frozenset({"teacher", "moderator", "contractor", "ict_manager", "head", "dsl", "exec_head"})

Kwargs = Callable[["AccessMatrixTests"], dict[str, Any]]


def nothing(t: AccessMatrixTests) -> dict[str, Any]:
    return {}


def space(t: AccessMatrixTests) -> dict[str, Any]:
    return {"pk": t.site.pk}


def school(t: AccessMatrixTests) -> dict[str, Any]:
    return {"school_id": t.school.pk}


@dataclass(frozen=True)
class Row:
    """Who may use one named URL, with the object its parameters point at.

    ``post``: what to send when the page only takes POST (empty by default). ``refusal``: the message a person who
    may see the object, but not act on it, is sent back with (a redirect and nothing changed) — counted as denied.
    ``sign_in_flow``: a page of the sign-in flow itself, where being sent to the sign-in page is the success.
    ``api``: a bearer-token operation (401 without a token, whoever is signed in; the token gets in).
    """

    kwargs: Kwargs
    allowed: frozenset[str]
    post: Callable[[AccessMatrixTests], dict[str, Any]] | None = None
    refusal: str = ""
    sign_in_flow: bool = False
    api: bool = False


def png() -> Any:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 120, 10)).save(out, format="PNG")
    return clean_image(io.BytesIO(out.getvalue()))


def _submitted(cls: Any, title: str, **fields: Any) -> Site:
    return sites.save_form(
        None, by=cls.teacher, school=cls.school, kind="own",
        fields=valid_fields(line_manager=cls.pastoral, title=title, **fields),
        roles={"administrators": [cls.teacher, cls.moderator], "moderators": [cls.moderator, cls.contractor]},
        submit=True,
    )  # fmt: skip


def _approved(cls: Any, title: str, **fields: Any) -> Site:
    site = _submitted(cls, title, **fields)
    sign(site, cls.ict_manager)
    sign(site, cls.head)
    site.refresh_from_db()
    return site


class AccessMatrixTests(SpaceTestCase):
    """Objects of every kind at Oakfield, each built through the action people use."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        version, _ = policy.import_policy(policy.DEFAULT_POLICY.read_text(), label="2026.1", by=None)
        for name in PERSONAS:
            if getattr(cls, name).kind == "staff":
                policy.acknowledge(getattr(cls, name), version)
        cls.review = policy.open_review(review_date=timezone.localdate(), reason="Annual review", by=cls.hr)
        # Community: an approved post with an image, a pending one, a member to act on.
        post = community.contribute(cls.site, by=cls.pupil, body="Our crystals grew.", image=png(), alt_text="Green")
        run_once()
        post.refresh_from_db()
        cls.approved_post = moderation.approve(post, by=cls.moderator)
        cls.pending_post = community.contribute(cls.site, by=cls.pupil2, body="Our results table.")
        run_once()
        cls.member = Membership.objects.get(site=cls.site, user=cls.pupil2)
        # Sites: one waiting for the ICT Manager, an approved one with an extension waiting, a third-party one.
        cls.submitted = _submitted(cls, "Year 9 Science Club blog")
        extended = _approved(cls, "Year 10 History blog")
        cls.extension = sites.request_extension(
            extended, by=cls.teacher, closes_on=timezone.localdate() + dt.timedelta(days=300), reason="Popular."
        )
        cls.platform = HostPlatform.objects.get(name="Facebook")
        third_party = _approved(cls, "Oakfield PE on Facebook", hosting=Hosting.THIRD_PARTY, host_platform=cls.platform)
        cls.third_party = third_party
        # Cases: a breach reported by the teacher with plain evidence; a safeguarding concern with quarantined
        # evidence and an escalation step sent to the DSL.
        cls.case = case_actions.open_case(
            case_type=CaseType.BREACH, school=cls.school, reported_by=cls.teacher,
            summary="A post on a personal account named a pupil.", source="report_form",
            evidence_files=[IncomingFile("post.txt", b"what was posted", "text/plain")],
        )  # fmt: skip
        cls.evidence = Evidence.objects.get(case=cls.case)
        cls.concern = case_actions.open_case(
            case_type=CaseType.SAFEGUARDING, school=cls.school, reported_by=cls.teacher,
            summary="A worrying image was shared.", source="report_form",
            evidence_files=[IncomingFile("image.png", b"\x89PNG\r\n\x1a\nnot really", "image/png")],
        )  # fmt: skip
        cls.quarantined = Evidence.objects.get(case=cls.concern)
        cls.escalation = Escalation.objects.create(case=cls.concern, step=1)
        cls.escalation.notified.add(cls.dsl)
        # A concern marked "a child may be at risk now": an urgent alert to the DSL and deputies (no rota).
        cls.alert = case_actions.open_case(
            case_type=CaseType.SAFEGUARDING, school=cls.school, reported_by=cls.teacher,
            summary="A pupil is at risk now.", source="report_form", at_risk_now=True,
        ).alert  # fmt: skip
        cls.shift = oncall.add_shift(
            cls.school.trust, school=cls.school, person=cls.deputy_dsl, starts_at=timezone.now() + dt.timedelta(days=1),
            ends_at=timezone.now() + dt.timedelta(days=2), by=cls.dsl,
        )[0]  # fmt: skip
        cls.channel = notify.add_channel(cls.dsl, kind="sms", address="07911 123456", by=cls.dsl)
        monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
        cls.closed_day = case_actions.add_closed_day(cls.school.trust, day=monday, label="INSET day", by=cls.exec_head)
        cls.holiday = case_actions.add_school_holiday(
            cls.school.trust, first_day=monday + dt.timedelta(days=14), last_day=monday + dt.timedelta(days=18),
            label="Half term", by=cls.exec_head,
        )  # fmt: skip
        # Monitoring, privacy, API (a token and a third-party comment), staff.
        cls.domain = monitoring.set_domain_category("facebook.com", Category.SOCIAL, by=cls.ict_manager)
        cls.correction = privacy.request_correction(cls.teacher, field="job_title", value="Head of Science")
        cls.sar = privacy.request_export(cls.pupil_record, by=cls.head, received_on=timezone.localdate())
        created = api_actions.create_token(
            school=cls.school, name="Integration", scopes=list(Scope.values), by=cls.ict_manager
        )
        cls.token, cls.secret = created.token, created.secret
        cls.comment = api_actions.submit_third_party_comments(
            cls.token,
            site=third_party,
            comments=[api_actions.IncomingComment(external_id="fb-1", text="Well done, team!")],
        )[0].comment
        cls.staff_site = approved_site(cls)
        cls.staff_post = start_post(
            cls.staff_site, author=cls.teacher, title="Science fair", body="Volcanoes.",
            author_position="Science teacher",
        )  # fmt: skip
        while run_once():
            pass

    def setUp(self) -> None:
        super().setUp()
        self.clients: dict[str, Client] = {}

    def client_as(self, persona: str, *, fresh: bool = False) -> Client:
        """One signed-in client per persona, reused across pages (signing in 1,500 times is the slow part)."""
        if fresh:
            return self.client_for(None if persona == ANON else getattr(self, persona))
        if persona not in self.clients:
            self.clients[persona] = self.client_for(None if persona == ANON else getattr(self, persona))
        return self.clients[persona]


ROWS: dict[str, Row] = {
    # Signing in (public) and one's own account.
    "home": Row(nothing, SIGNED_IN),
    "health": Row(nothing, EVERYONE),
    "login": Row(nothing, EVERYONE),
    "logout": Row(nothing, EVERYONE, sign_in_flow=True),
    "two_factor": Row(nothing, SIGNED_IN),
    "password_change": Row(nothing, SIGNED_IN),
    "password_change_done": Row(nothing, SIGNED_IN),
    "password_reset": Row(nothing, EVERYONE),
    "password_reset_done": Row(nothing, EVERYONE),
    "password_reset_confirm": Row(lambda t: {"uidb64": "MQ", "token": "x-y"}, EVERYONE),
    "password_reset_complete": Row(nothing, EVERYONE),
    # A one-time sign-in link (issue 15): anyone holding it; a made-up token says the link no longer works.
    "welcome": Row(lambda t: {"token": "x-y"}, EVERYONE),
    "sso:start": Row(lambda t: {"name": "microsoft"}, EVERYONE, sign_in_flow=True),
    "sso:callback": Row(lambda t: {"name": "microsoft"}, EVERYONE, sign_in_flow=True),
    # Roles at a school (issue 15): the ICT Manager, the Head and the Executive Headteacher see and change them.
    "school_roles": Row(school, frozenset({"head", "ict_manager", "exec_head"})),
    # The staff directory (issue 15): the ICT Manager, the Head and HR add and invite people.
    "staff_directory": Row(school, frozenset({"head", "ict_manager", "hr"})),
    # The roster: the school's staff read known-as names; Head and ICT Manager import it.
    "roster": Row(school, OAKFIELD_STAFF | {"exec_head"}),
    "roster_import": Row(school, frozenset({"head", "ict_manager"})),
    # Reopening a returning pupil's closed account (A.5.7): whoever may import the roster.
    "pupil_reopen": Row(
        lambda t: {"school_id": t.school.pk, "pupil_id": t.pupil_record.pk}, frozenset({"head", "ict_manager"})
    ),
    # The policy (2.1, 5.1): staff read and acknowledge it; HR and heads follow acknowledgement; HR runs reviews.
    "policy": Row(nothing, SIGNED_IN),  # pupils and external members are sent to "Our rules" (A.2.2)
    "policy_version": Row(lambda t: {"label": "2026.1"}, STAFF),
    "policy_changes": Row(lambda t: {"label": "2026.1", "other": "2026.1"}, STAFF),
    "clause": Row(lambda t: {"number": "A.5.4"}, STAFF),
    "policy_acknowledge": Row(nothing, STAFF),
    "policy_acknowledgements": Row(nothing, frozenset({"head", "hr", "exec_head"})),
    "policy_acknowledgement_reminders": Row(nothing, frozenset({"head", "hr", "exec_head"})),
    "policy_reviews": Row(nothing, frozenset({"hr"})),
    "policy_review": Row(lambda t: {"pk": t.review.pk}, frozenset({"hr"})),
    "audit_log": Row(nothing, frozenset({"head", "ict_manager", "hr", "exec_head"})),
    # Official sites (Appendix B, A.1, A.3): staff draft at their own school; the team and overseers see a site.
    "sites:index": Row(nothing, STAFF),
    "sites:new": Row(nothing, STAFF - {"exec_head"}),
    "sites:new_participation": Row(nothing, STAFF - {"exec_head"}),
    "sites:detail": Row(space, frozenset({"teacher", "moderator", "ict_manager", "head", "dsl", "exec_head"})),
    "sites:print": Row(space, frozenset({"teacher", "moderator", "ict_manager", "head", "dsl", "exec_head"})),
    "sites:edit": Row(lambda t: {"pk": t.submitted.pk}, frozenset({"teacher", "moderator"})),
    "sites:decide": Row(
        lambda t: {"pk": t.submitted.pk},
        frozenset({"ict_manager"}),
        refusal="This form is not waiting for your decision.",
    ),
    "sites:close": Row(space, frozenset({"teacher", "head", "exec_head"})),
    "sites:cover": Row(space, frozenset({"teacher", "head", "exec_head"})),
    "sites:extend": Row(space, frozenset({"teacher", "head", "exec_head"})),
    "sites:decide_extension": Row(
        lambda t: {"pk": t.extension.pk},
        frozenset({"ict_manager"}),
        post=lambda t: {"decision": "returned", "comment": ""},
        refusal="can make this decision|You asked for this extension",
    ),
    "sites:inventory": Row(school, frozenset({"ict_manager", "head", "dsl", "exec_head"})),
    "sites:trust_inventory": Row(nothing, frozenset({"exec_head"})),
    "sites:platforms": Row(nothing, STAFF),
    "sites:platform_new": Row(nothing, frozenset({"ict_manager"})),
    "sites:platform_edit": Row(lambda t: {"pk": t.platform.pk}, frozenset({"ict_manager"})),
    # Community spaces (A.4, A.5): members and the team; anyone signed in may ask to join; the administrator (and
    # the Head, for organisations, A.5.9) manage members.
    "community:mine": Row(nothing, SIGNED_IN),
    "community:space": Row(space, SPACE_MEMBERS),
    "community:help": Row(space, SPACE_MEMBERS),
    "community:help_anywhere": Row(nothing, SIGNED_IN),
    "community:rules": Row(nothing, SIGNED_IN),
    "community:contribute": Row(space, SPACE_MEMBERS),
    "community:accept_terms": Row(space, SPACE_MEMBERS),
    "community:feed_json": Row(space, SPACE_MEMBERS),
    "community:join": Row(space, SIGNED_IN),
    "community:members": Row(space, frozenset({"teacher", "head", "exec_head"})),
    "community:invite": Row(space, frozenset({"teacher"})),
    "community:member_action": Row(
        lambda t: {"pk": t.site.pk, "mid": t.member.pk, "what": "status"}, frozenset({"teacher", "head", "exec_head"})
    ),
    "community:contribution": Row(lambda t: {"pk": t.site.pk, "cid": t.approved_post.pk}, SPACE_MEMBERS),
    "community:image": Row(lambda t: {"pk": t.site.pk, "cid": t.approved_post.pk}, SPACE_MEMBERS),
    "community:report": Row(lambda t: {"pk": t.site.pk, "cid": t.approved_post.pk}, SPACE_MEMBERS),
    # Moderation (A.5.3–A.5.5): the site's moderators and administrators only.
    "moderation:index": Row(nothing, SIGNED_IN),
    "moderation:queue": Row(lambda t: {"site_pk": t.site.pk}, frozenset({"teacher", "moderator"})),
    "moderation:item": Row(lambda t: {"pk": t.pending_post.pk}, frozenset({"teacher", "moderator"})),
    "moderation:decide": Row(lambda t: {"pk": t.pending_post.pk}, frozenset({"teacher", "moderator"})),
    "moderation:comments": Row(
        lambda t: {"site_pk": t.third_party.pk}, frozenset({"teacher", "moderator", "contractor"})
    ),
    "moderation:decide_comment": Row(lambda t: {"pk": t.comment.pk}, frozenset({"teacher", "moderator", "contractor"})),
    # Cases (A.2.3, 7.x): any member of staff reports; the case type's owners (a breach: HR and the Head; a
    # safeguarding concern: the DSL) open the case; quarantined evidence only for the DSL (A.5.6).
    "cases:home": Row(nothing, WELFARE),
    "cases:report_index": Row(nothing, STAFF),
    "cases:report": Row(lambda t: {"kind": "concern"}, STAFF),
    "cases:my_reports": Row(nothing, STAFF),
    "cases:received": Row(lambda t: {"reference": t.case.reference}, frozenset({"teacher"})),
    "cases:retention": Row(nothing, WELFARE),
    "cases:targets": Row(nothing, frozenset({"exec_head"})),
    # The school day and closed days apply to every school of the Trust: the Executive Headteacher sets them.
    "cases:timings": Row(nothing, frozenset({"exec_head"})),
    "cases:closed_day_add": Row(nothing, frozenset({"exec_head"})),
    "cases:closed_day_remove": Row(lambda t: {"closed_day_id": t.closed_day.pk}, frozenset({"exec_head"})),
    "cases:escalation_seen": Row(lambda t: {"escalation_id": t.escalation.pk}, frozenset({"dsl"})),
    "cases:school_holiday_add": Row(nothing, frozenset({"exec_head"})),
    "cases:school_holiday_remove": Row(lambda t: {"holiday_id": t.holiday.pk}, frozenset({"exec_head"})),
    "cases:out_of_hours": Row(nothing, frozenset({"exec_head"})),
    # The on-call rota (A.2.3): the school's DSL edits it; its deputies and Head read it, and the Executive
    # Headteacher (who keeps the Trust's fallback). An urgent alert: those it reached and those who may open the case.
    "cases:rota": Row(nothing, frozenset({"dsl", "deputy_dsl", "head", "exec_head"})),
    "cases:rota_add": Row(nothing, frozenset({"dsl"})),
    "cases:rota_remove": Row(lambda t: {"shift_id": t.shift.pk}, frozenset({"dsl"})),
    # A pupil's whole chronology (A.2.3): the DSL and deputies of the pupil's school.
    "cases:chronology": Row(lambda t: {"pupil_id": t.pupil_record.pk}, frozenset({"dsl", "deputy_dsl"})),
    "cases:alert": Row(lambda t: {"alert_id": t.alert.pk}, frozenset({"dsl", "deputy_dsl"})),
    # Urgent-notification channels: each member of staff, their own only.
    "notify:channels": Row(nothing, STAFF),
    "notify:channel_remove": Row(
        lambda t: {"channel_id": t.channel.pk}, frozenset({"dsl"}), refusal="That was already removed"
    ),
    "cases:case": Row(lambda t: {"reference": t.case.reference}, frozenset({"hr", "head"})),
    "cases:delete": Row(lambda t: {"reference": t.case.reference}, frozenset({"hr", "head"})),
    "cases:evidence": Row(
        lambda t: {"reference": t.case.reference, "evidence_id": t.evidence.pk}, frozenset({"hr", "head"})
    ),
    "cases:quarantine": Row(
        lambda t: {"reference": t.concern.reference, "evidence_id": t.quarantined.pk}, frozenset({"dsl"})
    ),
    "cases:action": Row(lambda t: {"reference": t.case.reference, "action": "entry"}, frozenset({"hr", "head"})),
    # Staff (6.x, A.3.4, A.4): declarations, personal checks and official posts.
    "staff_declarations": Row(nothing, STAFF),
    "staff_school_declarations": Row(school, frozenset({"dsl", "deputy_dsl", "pastoral"})),
    "staff_people": Row(nothing, frozenset({"hr"})),
    "staff_leaving": Row(lambda t: {"user_id": t.teacher.pk}, frozenset({"hr"})),
    "staff_personal_check": Row(nothing, STAFF),
    "staff_screen": Row(
        nothing, OAKFIELD_STAFF | {"exec_head"}, post=lambda t: {"text": "Hello", "site": t.staff_site.pk}
    ),
    "staff_posts": Row(nothing, STAFF),
    "staff_post_new": Row(lambda t: {"site_id": t.staff_site.pk}, OAKFIELD_STAFF | {"exec_head"}),
    "staff_post": Row(lambda t: {"pk": t.staff_post.pk}, frozenset({"teacher", "ict_manager", "head", "exec_head"})),
    "staff_post_edit": Row(lambda t: {"pk": t.staff_post.pk}, frozenset({"teacher"})),
    # Monitoring (A.1.x internet use): the notice for all staff; reports for the Head and HR; hours for HR; the
    # domain list for the ICT Manager and HR.
    "monitoring_index": Row(nothing, STAFF),
    "monitoring_notice": Row(nothing, STAFF),
    "monitoring_social_report": Row(school, frozenset({"head", "hr"})),
    "monitoring_edits_report": Row(school, frozenset({"head", "hr"})),
    "monitoring_school_hours": Row(school, frozenset({"hr"})),
    "monitoring_person_hours": Row(lambda t: {"school_id": t.school.pk, "user_id": t.teacher.pk}, frozenset({"hr"})),
    "monitoring_domains": Row(nothing, frozenset({"ict_manager", "hr"})),
    "monitoring_remove_domain": Row(lambda t: {"entry_id": t.domain.pk}, frozenset({"hr"})),
    # The API: its description is public; tokens are the ICT Manager's (A.5.5); operations take a bearer token.
    "api:schema": Row(nothing, EVERYONE),
    "api:docs": Row(nothing, EVERYONE),
    "api:tokens": Row(nothing, frozenset({"ict_manager"})),
    "api:revoke": Row(lambda t: {"pk": t.token.pk}, frozenset({"ict_manager"})),
    "api:screen": Row(nothing, frozenset(), api=True),
    "api:sites": Row(nothing, frozenset(), api=True),
    "api:queue_counts": Row(nothing, frozenset(), api=True),
    "api:comments": Row(nothing, frozenset(), api=True),
    # Dashboards (A.3.2): panels by role.
    "dashboards:index": Row(nothing, OAKFIELD_STAFF | {"exec_head"}),
    "dashboards:export": Row(lambda t: {"key": "sites"}, frozenset({"ict_manager", "head", "dsl", "exec_head"})),
    "dashboards:sites": Row(nothing, frozenset({"ict_manager", "head", "dsl", "exec_head"})),
    "dashboards:moderation": Row(
        lambda t: {"site_pk": t.site.pk}, frozenset({"teacher", "moderator", "ict_manager", "head", "exec_head"})
    ),
    "dashboards:cases": Row(nothing, WELFARE),
    # Privacy: the notice is public; corrections decided by HR (staff), the ICT Manager (pupils) and
    # the Executive Head; subject access requests run by the Head (pupils), HR and the Executive Head.
    "privacy:notice": Row(nothing, EVERYONE),
    "privacy:retention": Row(nothing, STAFF),
    "privacy:my_details": Row(nothing, SIGNED_IN),
    "privacy:corrections": Row(nothing, frozenset({"hr", "ict_manager", "exec_head"})),
    "privacy:decide_correction": Row(lambda t: {"pk": t.correction.pk}, frozenset({"hr"})),
    "privacy:sars": Row(nothing, frozenset({"head", "hr", "exec_head"})),
    "privacy:sar": Row(lambda t: {"pk": t.sar.pk}, frozenset({"head"})),
    "privacy:download": Row(lambda t: {"pk": t.sar.pk}, frozenset({"head"})),
}


def _flashed(response: Any) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _outcome(test: AccessMatrixTests, row: Row, url: str, persona: str) -> tuple[bool, str]:
    """(allowed?, what happened) for one persona on one page."""
    # A page of the sign-in flow may sign the client out: give it its own.
    client = test.client_as(persona, fresh=row.sign_in_flow)
    response = client.get(url)
    if response.status_code == 405:
        data = row.post(test) if row.post else {}
        response = client.post(url, json.dumps(data), content_type="application/json") if row.post and (
            url.startswith("/staff/screen")
        ) else client.post(url, data)  # fmt: skip
    location = response.get("Location", "")
    said = f"{response.status_code} {location}".strip()
    if response.status_code in (401, 403, 404):
        return False, said
    if response.status_code == 302 and location.startswith("/account/login/"):
        return row.sign_in_flow, said
    if response.status_code == 302 and location.startswith(("/account/two-factor/", "/policy/acknowledge/")):
        return False, f"{said} (set-up not finished: the matrix's personas should be ready)"
    if row.refusal and response.status_code == 302:
        flashed = _flashed(response)
        if any(part in flashed for part in row.refusal.split("|")):
            return False, f"{said} {flashed!r}"
    return response.status_code < 500, said


class AccessMatrix(AccessMatrixTests):
    def test_every_page_in_the_urlconf_has_a_row(self) -> None:
        names = set(url_patterns())
        self.assertEqual(sorted(names - set(ROWS)), [], "new pages: give each a row saying who may use it")
        self.assertEqual(sorted(set(ROWS) - names), [], "rows for pages that no longer exist")

    def test_each_persona_reaches_exactly_the_pages_the_table_allows(self) -> None:
        checked = 0
        for name, row in sorted(ROWS.items()):
            url = reverse(name, kwargs=row.kwargs(self))
            for persona in sorted(EVERYONE):
                allowed, said = _outcome(self, row, url, persona)
                checked += 1
                with self.subTest(page=name, persona=persona):
                    self.assertEqual(
                        allowed,
                        persona in row.allowed,
                        f"{persona} on {url}: got {said}, expected {'in' if persona in row.allowed else 'kept out'}",
                    )
                    if not allowed and persona == ANON and not row.api:
                        self.assertTrue(said.startswith(("302 /account/login/", "401")), said)
                    if not allowed and persona != ANON and not row.refusal:
                        self.assertTrue(said.startswith(("401", "403", "404")), said)
        self.assertEqual(checked, len(ROWS) * len(EVERYONE))

    def test_api_operations_answer_401_without_a_token_and_serve_a_token(self) -> None:
        for name, row in sorted(ROWS.items()):
            if not row.api:
                continue
            url = reverse(name, kwargs=row.kwargs(self))
            for persona in sorted(EVERYONE):
                client = self.client_as(persona)
                with self.subTest(operation=name, persona=persona):
                    self.assertEqual(client.get(url).status_code, 401)
                    self.assertEqual(client.post(url, {}, content_type="application/json").status_code, 401)
            bearer = Client(headers={"Authorization": f"Bearer {self.secret}"})
            response = bearer.get(url)
            if response.status_code == 405:
                response = bearer.post(url, {}, content_type="application/json")
            with self.subTest(operation=name, persona="token"):
                self.assertIn(response.status_code, {200, 400}, response.content[:300])
            revoked = Client(headers={"Authorization": "Bearer not-a-real-token"})
            with self.subTest(operation=name, persona="bad token"):
                self.assertEqual(revoked.get(url).status_code, 401)
