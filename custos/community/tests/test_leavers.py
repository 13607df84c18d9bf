"""A pupil who leaves the school leaves every space (A.2.6, A.5.7): members removed, open requests declined."""

from custos.audit.models import AuditEvent
from custos.community import actions
from custos.community.leavers import end_memberships_of_leavers
from custos.community.models import Membership, MemberStatus
from custos.community.tests.base import SpaceTestCase
from custos.sites.models import Site


class LeaverMembershipTests(SpaceTestCase):
    def test_a57_active_and_suspended_members_are_removed_and_requests_declined_each_audited(self) -> None:
        other = Site.objects.get(pk=self.site.pk)
        other.pk = None
        other.title = "Chess Club"
        other.save()
        actions.change_status(self.membership(self.pupil2), by=self.teacher, to=MemberStatus.SUSPENDED, reason="Rude.")
        pending = Membership.objects.create(
            site=other, user=self.pupil, status=MemberStatus.REQUESTED, pseudonym="Rook"
        )
        ended = end_memberships_of_leavers([self.pupil, self.pupil2], by=self.ict_manager)
        self.assertEqual(len(ended), 3)
        self.assertEqual(self.membership(self.pupil).status, MemberStatus.REMOVED)
        self.assertEqual(self.membership(self.pupil2).status, MemberStatus.REMOVED)
        pending.refresh_from_db()
        self.assertEqual(pending.status, MemberStatus.DECLINED)
        self.assertIn("A.5.7", pending.status_reason)
        self.assertEqual(AuditEvent.objects.filter(action="community.member_status", actor=self.ict_manager).count(), 3)

    def test_a57_ended_memberships_are_left_alone_and_nobody_is_a_no_op(self) -> None:
        end_memberships_of_leavers([self.pupil], by=None)
        self.assertEqual(end_memberships_of_leavers([self.pupil], by=None), [])
        self.assertEqual(end_memberships_of_leavers([], by=None), [])
        self.assertEqual(self.membership(self.external).status, MemberStatus.ACTIVE)
