"""Need-to-know access to cases: the case-type × role matrix, in one place (A.2.3, A.5.6, 9.1–9.3).

Built from ``types.CASE_TYPES``: owners and editors may work a case, readers may only read it; everyone but
an owner states a reason to open it (recorded in the audit log). A person named in a case as one of the people
it concerns never sees it, whatever their role. Reporters see that their report arrived, never the case.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from custos.accounts.access import holds_role_anywhere, is_staff_member
from custos.accounts.models import Kind, Role
from custos.cases.types import CaseTypeSpec, routing_variants, spec_for

QUARANTINE_ROLES = (Role.DSL,)
CASE_SETTINGS_ROLES = (Role.EXECUTIVE_HEADTEACHER,)


def _roles_for(user: Any, case: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.kind != Kind.STAFF:
        return set()
    if case is None or getattr(case, "school_id", None) is None:
        return set()
    if _is_subject(user, case):
        return set()
    return user.roles_at(case.school)


def _is_subject(user: Any, case: Any) -> bool:
    cache = case.__dict__.setdefault("_subject_ids", None)
    if cache is None:
        cache = set(case.linked_users.values_list("pk", flat=True)) if case.pk else set()
        case.__dict__["_subject_ids"] = cache
    return user.pk in cache


def _spec(case: Any) -> CaseTypeSpec:
    return spec_for(case.case_type, against_head=bool(getattr(case, "against_head", False)))


@rules.predicate
def may_open_case(user: Any, case: Any = None) -> bool:
    return bool(_roles_for(user, case) & set(_spec(case).may_open)) if case is not None else False


@rules.predicate
def may_work_case(user: Any, case: Any = None) -> bool:
    return bool(_roles_for(user, case) & set(_spec(case).may_edit)) if case is not None else False


@rules.predicate
def owns_case(user: Any, case: Any = None) -> bool:
    return bool(_roles_for(user, case) & set(_spec(case).owners)) if case is not None else False


@rules.predicate
def may_open_quarantine(user: Any, case: Any = None) -> bool:
    return bool(_roles_for(user, case) & set(QUARANTINE_ROLES)) if case is not None else False


@rules.predicate
def may_list_cases(user: Any, obj: Any = None) -> bool:
    every_role = {role for spec, _ in routing_variants() for role in spec.may_open}
    return holds_role_anywhere(user, *every_role)


@rules.predicate
def may_configure_targets(user: Any, trust: Any = None) -> bool:
    return holds_role_anywhere(user, *CASE_SETTINGS_ROLES)


ROTA_EDITORS = (Role.DSL,)
ROTA_READERS = (Role.DSL, Role.DEPUTY_DSL, Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER)


def _staff_roles_at(user: Any, school: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.kind != Kind.STAFF:
        return set()
    return user.roles_at(school)


@rules.predicate
def may_edit_rota(user: Any, school: Any = None) -> bool:
    """A school's rota: its DSL (A.2.3). The Trust's fallback (``school`` None): the Executive Headteacher."""
    if school is None:
        return holds_role_anywhere(user, *CASE_SETTINGS_ROLES)
    return bool(_staff_roles_at(user, school) & set(ROTA_EDITORS))


@rules.predicate
def may_view_rota(user: Any, school: Any = None) -> bool:
    if school is None:
        return holds_role_anywhere(user, *ROTA_READERS)
    return bool(_staff_roles_at(user, school) & set(ROTA_READERS))


CHRONOLOGY_ROLES = (Role.DSL, Role.DEPUTY_DSL)


@rules.predicate
def may_view_chronology(user: Any, pupil: Any = None) -> bool:
    """A pupil's whole chronology (A.2.3): the DSL and deputies of the pupil's school only."""
    if pupil is None or getattr(pupil, "school_id", None) is None:
        return False
    return bool(_staff_roles_at(user, pupil.school) & set(CHRONOLOGY_ROLES))


rules.add_perm("cases.report", is_staff_member)
rules.add_perm("cases.view_chronology", may_view_chronology)
rules.add_perm("cases.edit_rota", may_edit_rota)
rules.add_perm("cases.view_rota", may_view_rota)
rules.add_perm("cases.list", may_list_cases)
rules.add_perm("cases.view_case", may_open_case)
rules.add_perm("cases.work_case", may_work_case)
rules.add_perm("cases.view_without_reason", owns_case)
rules.add_perm("cases.open_quarantined", may_open_quarantine)
rules.add_perm("cases.confirm_deletion", owns_case)
rules.add_perm("cases.configure", may_configure_targets)


def visible_cases_q(user: Any, *, to_work: bool = False) -> Q:
    """A filter matching exactly the cases ``user`` may open (or, ``to_work``, work): used by lists, search and
    'Waiting for me', so that neither rows nor counts reveal a case the person may not open."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.kind != Kind.STAFF:
        return Q(pk__in=[])
    assignments = list(user.role_assignments.current().values_list("school_id", "role"))
    clauses = Q(pk__in=[])
    trust_wide = {role for school_id, role in assignments if school_id is None}
    by_school: dict[int, set[str]] = {}
    for school_id, role in assignments:
        if school_id is not None:
            by_school.setdefault(school_id, set()).add(role)

    def types_for(roles: set[str]) -> Q:
        # An allegation against the Head has its own routing (``types.ALLEGATION_AGAINST_HEAD``), so the filter
        # goes per (type, against_head) rather than per type.
        allowed = Q(pk__in=[])
        for spec, against_head in routing_variants():
            if roles & set(spec.may_edit if to_work else spec.may_open):
                one = Q(case_type=spec.case_type.value)
                allowed |= one if against_head is None else one & Q(against_head=against_head)
        return allowed

    if trust_wide:
        clauses |= types_for(trust_wide)
    for school_id, roles in by_school.items():
        clauses |= Q(school_id=school_id) & types_for(roles | trust_wide)
    return clauses & ~Q(linked_users=user)
