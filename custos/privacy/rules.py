"""Who may run a subject access request and who corrects whose details (UK GDPR Art. 15, 16).

- A subject access request: the Head of the person's school or the Executive Headteacher; for staff, also HR of
  their school. Never about oneself (whoever runs it would learn what is withheld about them). External members,
  who have no school: the Executive Headteacher.
- Corrections: HR of the school for staff; the ICT Manager of the school for a pupil's preferred names (legal
  names come from the MIS roster); the Executive Headteacher for external members.
"""

from __future__ import annotations

from typing import Any

import rules

from custos.accounts.access import holds_role, holds_role_anywhere, is_staff_member
from custos.accounts.models import Kind, Pupil, Role, User

HEAD_ROLES = (Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER)
SAR_ROLES = (Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER, Role.HR)


def subject_school(obj: Any) -> Any:
    if isinstance(obj, Pupil):
        return obj.school
    if isinstance(obj, User):
        pupil = getattr(obj, "pupil", None) if obj.kind == Kind.PUPIL else None
        return pupil.school if pupil is not None else obj.school
    return None


@rules.predicate
def may_run_sar_for(user: Any, subject: Any) -> bool:
    if not isinstance(subject, User | Pupil):
        return False
    subject_user = subject if isinstance(subject, User) else subject.user
    if subject_user is not None and subject_user.pk == getattr(user, "pk", None):
        return False
    school = subject_school(subject)
    if school is None:
        return holds_role_anywhere(user, Role.EXECUTIVE_HEADTEACHER)
    if isinstance(subject, User) and subject.kind == Kind.STAFF:
        return holds_role(user, school, *SAR_ROLES)
    return holds_role(user, school, *HEAD_ROLES)


@rules.predicate
def runs_sars_somewhere(user: Any, obj: Any = None) -> bool:
    return holds_role_anywhere(user, *SAR_ROLES)


@rules.predicate
def may_correct(user: Any, person: Any) -> bool:
    if not isinstance(person, User) or person.pk == getattr(user, "pk", None):
        return False
    school = subject_school(person)
    if person.kind == Kind.STAFF:
        return school is not None and holds_role(user, school, Role.HR)
    if person.kind == Kind.PUPIL:
        return school is not None and holds_role(user, school, Role.ICT_MANAGER)
    return holds_role_anywhere(user, Role.EXECUTIVE_HEADTEACHER)


@rules.predicate
def decides_corrections_somewhere(user: Any, obj: Any = None) -> bool:
    return holds_role_anywhere(user, Role.HR, Role.ICT_MANAGER, Role.EXECUTIVE_HEADTEACHER)


@rules.predicate
def is_signed_in(user: Any, obj: Any = None) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


rules.add_perm("privacy.run_sar", may_run_sar_for)
rules.add_perm("privacy.list_sars", runs_sars_somewhere)
rules.add_perm("privacy.decide_correction", may_correct)
rules.add_perm("privacy.list_corrections", decides_corrections_somewhere)
rules.add_perm("privacy.request_correction", is_signed_in)
rules.add_perm("privacy.view_retention", is_staff_member)
