"""Who may manage urgent-notification channels: each member of staff, for themselves only."""

import rules

from custos.accounts.access import is_staff_member

rules.add_perm("notify.manage_own_channels", rules.predicate(is_staff_member))
