from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def school_brand(request: HttpRequest) -> dict[str, Any]:
    """The school whose logo heads every page, linking to its website (A.4.7)."""
    user = getattr(request, "user", None)
    school = getattr(user, "school", None) if getattr(user, "is_authenticated", False) else None
    return {"brand_school": school}
