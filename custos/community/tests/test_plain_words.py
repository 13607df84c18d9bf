"""A.2.2, A.4.1, A.5.3, A.5.7: pupils (9 to 14) and external members read plain words without clause numbers;
staff keep the citations. The House Rules come before the button that accepts them, and accepting them is on
the member's 'Waiting for me'. The audit log names a membership by its space's title."""

from __future__ import annotations

from django.urls import reverse

from custos.audit.models import AuditEvent
from custos.community import actions
from custos.community.models import Membership, MemberStatus
from custos.community.tests.base import SpaceTestCase, make_space
from custos.community.wording import for_reader
from custos.core.waiting import waiting_for
from custos.mail.models import Email
from custos.moderation import actions as moderation
from custos.sites.models import Site

CLAUSES = ("(7.1)", "(A.4.7)", "(A.4.1)", "(A.5.3)", "(A.5.4)", "(A.5.7)")


class PlainWordsTests(SpaceTestCase):
    def assertNoClauses(self, text: str) -> None:
        for clause in CLAUSES:
            self.assertNotIn(clause, text)

    def test_a22_pupils_read_my_spaces_and_the_space_without_clause_numbers(self) -> None:
        pupil = self.client_for(self.pupil)
        spaces = pupil.get(reverse("community:mine")).content.decode()
        self.assertIn("Your school's own sites, where staff and pupils talk.", spaces)
        self.assertNoClauses(spaces)
        space = pupil.get(reverse("community:space", args=[self.site.pk])).content.decode()
        self.assertIn("An official Oakfield Academy site", space)
        self.assertIn("A moderator checks every contribution before anyone else sees it.", space)
        self.assertNoClauses(space)

    def test_a22_staff_keep_the_clause_citations_on_the_same_pages(self) -> None:
        teacher = self.client_for(self.teacher)
        self.assertContains(teacher.get(reverse("community:mine")), "(7.1)")
        space = teacher.get(reverse("community:space", args=[self.site.pk]))
        self.assertContains(space, "(A.4.7)")
        self.assertContains(space, "Terms of Use and House Rules (A.4.1)")

    def test_a54_a22_the_report_page_and_its_thanks_are_plain_for_a_pupil(self) -> None:
        item = self.screened(self.pupil, "Look at this")
        moderation.approve(item, by=self.moderator)
        url = reverse("community:report", args=[self.site.pk, item.pk])
        page = self.client_for(self.pupil2).get(url).content.decode()
        self.assertIn("We will tell you what the moderator decides.", page)
        self.assertNoClauses(page)
        done = self.client_for(self.pupil2).post(url, {"reason": "Unkind"}, follow=True).content.decode()
        self.assertIn("Thank you. A moderator will look at it. You will be told what they decide.", done)
        self.assertNoClauses(done)

    def test_a53_a22_a_pupils_thanks_for_a_post_has_no_clause_number(self) -> None:
        response = self.client_for(self.pupil).post(
            reverse("community:contribute", args=[self.site.pk]), {"body": "Our volcano"}, follow=True
        )
        self.assertContains(response, "A moderator will check it before anyone else can see it.")
        self.assertNoClauses(response.content.decode())

    def test_a57_the_rejection_email_opens_kindly_and_has_no_clause_number_for_a_pupil(self) -> None:
        item = self.screened(self.pupil, "Random chat about football")
        moderation.reject(item, by=self.moderator, house_rule=3)
        mail = Email.objects.get(to=self.pupil.email)
        self.assertEqual(mail.subject, "Your post in Year 8 Science Club wasn't put on the site")
        self.assertIn("Your post in Year 8 Science Club wasn't put on the site.", mail.body)
        self.assertNotIn("did not post your post", mail.body)
        self.assertIn("You are welcome to write it again in a way that keeps to the House Rules.", mail.body)
        self.assertNoClauses(mail.body)

    def test_a57_a22_an_external_member_sees_their_request_in_plain_words(self) -> None:
        other = self.make_second_space()
        membership = actions.request_to_join(other, by=self.external, reason="I run the science festival.")
        page = self.client_for(self.external).get(reverse("community:join", args=[other.pk])).content.decode()
        self.assertIn("Asked to join: someone at the school is checking your request", page)
        self.assertNoClauses(page)
        actions.vet(membership, by=self.teacher, approve=True, notes="Checked references.")
        mail = Email.objects.filter(to=self.external.email, subject__startswith="Your membership").latest("pk")
        self.assertEqual(mail.subject, f"Your membership of {other.title}: Member")
        self.assertNoClauses(mail.body)

    def test_a22_clause_citations_are_taken_out_only_for_readers_who_are_not_staff(self) -> None:
        text = "This site is for pupils aged 11 to 14 (A.2.5, A.2.6). Choose 1 to 4 (A.5.7)."
        self.assertEqual(for_reader(self.pupil, text), "This site is for pupils aged 11 to 14. Choose 1 to 4.")
        self.assertEqual(for_reader(self.external, "Official (Appendix B; A.2.5): x"), "Official: x")
        self.assertEqual(for_reader(self.teacher, text), text)

    def test_a41_the_house_rules_come_before_the_button_that_accepts_them(self) -> None:
        Membership.objects.filter(site=self.site, user=self.pupil2).update(terms_accepted_at=None)
        page = self.client_for(self.pupil2).get(reverse("community:space", args=[self.site.pk])).content.decode()
        self.assertLess(page.index("Stay on topic."), page.index("Accept and continue"))
        self.assertLess(page.index("Use this space for the Science Club only."), page.index("Accept and continue"))
        self.assertEqual(page.count('id="terms"'), 1)
        self.assertNoClauses(page)

    def test_a41_accepting_the_house_rules_is_waiting_for_the_member_until_they_do(self) -> None:
        Membership.objects.filter(site=self.site, user=self.pupil2).update(terms_accepted_at=None)
        home = self.client_for(self.pupil2).get("/")
        self.assertContains(home, "Read and accept the House Rules of Year 8 Science Club")
        self.assertContains(home, f'href="{reverse("community:space", args=[self.site.pk])}#terms"')
        self.assertNotContains(home, "Nothing is waiting for you")
        self.assertNotContains(home, "clause A.4.1")
        actions.accept_terms(self.membership(self.pupil2), by=self.pupil2)
        self.assertContains(self.client_for(self.pupil2).get("/"), "Nothing is waiting for you")

    def test_a41_a_staff_member_who_has_not_accepted_sees_the_clause(self) -> None:
        actions.invite(self.site, by=self.teacher, users=[self.contractor])
        items = [i for i in waiting_for(self.contractor) if "House Rules" in i.title]
        self.assertEqual(
            [(i.title, i.clause) for i in items], [("Read and accept the House Rules of Year 8 Science Club", "A.4.1")]
        )

    def test_a41_a_suspended_member_or_a_closed_space_waits_for_nothing(self) -> None:
        Membership.objects.filter(site=self.site, user=self.pupil2).update(
            terms_accepted_at=None, status=MemberStatus.SUSPENDED
        )
        self.assertFalse([i for i in waiting_for(self.pupil2) if "House Rules" in i.title])

    def test_a41_the_audit_log_names_a_membership_by_its_space_title(self) -> None:
        event = AuditEvent.objects.filter(action="community.terms_accepted").latest("pk")
        self.assertRegex(event.object_repr, r"^.+ in Year 8 Science Club$")
        self.assertEqual(
            str(self.membership(self.pupil)), f"{self.membership(self.pupil).pseudonym} in Year 8 Science Club"
        )

    def make_second_space(self) -> Site:
        return make_space(self.school, self.teacher, [self.moderator], [self.teacher], title="Eco Club")
