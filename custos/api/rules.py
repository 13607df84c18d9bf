"""Who manages integration tokens: the school's ICT Manager (issue 10). Views ask through ``access.can``."""

from __future__ import annotations

from typing import Any

import rules

from custos.accounts.access import holds_role, holds_role_anywhere
from custos.accounts.models import Role


@rules.predicate
def is_ict_manager(user: Any, obj: Any = None) -> bool:
    if obj is None:
        return holds_role_anywhere(user, Role.ICT_MANAGER)
    return holds_role(user, obj, Role.ICT_MANAGER)


rules.add_perm("api.manage_tokens", is_ict_manager)
