"""Who may see and change monitoring (8.1): reports only for HR and the Head of the school concerned."""

from __future__ import annotations

from typing import Any

import rules

from custos.accounts.access import holds_role_anywhere, is_staff_member, role_predicate
from custos.accounts.models import Role

REPORT_ROLES = (Role.HR, Role.HEAD_OF_SCHOOL)
HOURS_ROLES = (Role.HR,)
DOMAIN_ROLES = (Role.HR, Role.ICT_MANAGER)


@rules.predicate
def keeps_domain_list(user: Any, obj: Any = None) -> bool:
    return holds_role_anywhere(user, *DOMAIN_ROLES)


@rules.predicate
def sees_any_reports(user: Any, obj: Any = None) -> bool:
    return holds_role_anywhere(user, *REPORT_ROLES)


rules.add_perm("monitoring.view_reports", role_predicate(*REPORT_ROLES))
rules.add_perm("monitoring.view_any_reports", sees_any_reports)
rules.add_perm("monitoring.set_hours", role_predicate(*HOURS_ROLES))
rules.add_perm("monitoring.keep_domain_list", keeps_domain_list)
rules.add_perm("monitoring.read_notice", is_staff_member)
