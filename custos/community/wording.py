"""Words for the reader (A.2.2): staff see the clause a rule comes from; pupils (9 to 14) and external members
see the same sentence in plain words, without clause numbers. Code, audit events and staff pages keep them."""

from __future__ import annotations

import re
from typing import Any

from custos.accounts.models import Kind

# " (A.5.3)", " (7.1)", " (A.2.5, A.2.6)", " (Appendix B; A.2.5)": a citation in brackets at any point.
CITATION = re.compile(
    r"\s*\((?:Appendix [A-Z]|A\.\d+\.\d+|\d+\.\d+)(?:[;,]?\s*(?:Appendix [A-Z]|A\.\d+\.\d+|\d+\.\d+))*\)"
)


def reads_clauses(user: Any) -> bool:
    """Staff benefit from clause citations; pupils and external members do not."""
    return getattr(user, "kind", None) == Kind.STAFF


def for_reader(user: Any, text: str) -> str:
    """``text`` as ``user`` should read it: unchanged for staff, without clause citations for everyone else."""
    return text if reads_clauses(user) else CITATION.sub("", text)
