"""Who may see acknowledgements and run the policy's review (10.1). ``policy.read`` lives in accounts.access."""

from __future__ import annotations

from typing import Any

import rules

from custos.accounts.access import holds_role, holds_role_anywhere, school_of
from custos.accounts.models import Role
from custos.policy.queries import hr_trust_ids


@rules.predicate
def is_hr_for(user: Any, obj: Any = None) -> bool:
    """HR of the school's trust (any school, when there is no object): 10.1 puts HR in charge of the policy."""
    trusts = hr_trust_ids(user)
    if not trusts:
        return False
    school = school_of(obj)
    return school is None or None in trusts or school.trust_id in trusts


@rules.predicate
def heads_the_school(user: Any, obj: Any = None) -> bool:
    if obj is None:
        return holds_role_anywhere(user, Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER)
    return holds_role(user, obj, Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER)


rules.add_perm("policy.view_acknowledgements", is_hr_for | heads_the_school)
rules.add_perm("policy.manage_review", is_hr_for)
