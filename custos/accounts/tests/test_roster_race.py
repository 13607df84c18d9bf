"""Of several people confirming the same roster import at the same moment, exactly one wins (3.1): the others are
told the roster changed, and the pupils are added once."""

import threading

from django.db import connection

from custos.accounts.actions import RosterChanged, confirm_roster_import, preview_roster_import
from custos.accounts.models import Pupil, Role, School, Trust
from custos.accounts.tests.test_roster import TODAY, roster, upn
from custos.audit.models import AuditEvent
from custos.test import CustosTransactionTestCase, give_role, make_user


class RosterRaceTests(CustosTransactionTestCase):
    def test_3_1_four_confirmations_of_one_preview_at_once_apply_it_once(self) -> None:
        trust = Trust.objects.create(name="Trust")
        school = School.objects.create(trust=trust, name="Oak", urn="100001", website="https://oak.example/")
        ict = make_user("ict", school=school)
        give_role(ict, Role.ICT_MANAGER, school)
        data = roster(*(f"{upn(n)},Pupil,Number{chr(64 + n)},,,7,01/01/2014" for n in range(1, 6)))
        digest = preview_roster_import(school, data, today=TODAY).digest
        barrier = threading.Barrier(4)
        outcomes: list[str] = []

        def confirm() -> None:
            try:
                barrier.wait()
                confirm_roster_import(school, data, digest=digest, by=ict, today=TODAY)
                outcomes.append("applied")
            except RosterChanged:
                outcomes.append("refused")
            finally:
                connection.close()

        threads = [threading.Thread(target=confirm) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sorted(outcomes), ["applied", "refused", "refused", "refused"])
        self.assertEqual(Pupil.objects.filter(school=school).count(), 5)
        self.assertEqual(AuditEvent.objects.filter(action="roster.imported").count(), 1)
