"""Evidence storage with no public URL: files live outside MEDIA_ROOT and are only ever streamed by a view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


def evidence_root() -> Path:
    configured = getattr(settings, "CUSTOS_CASE_EVIDENCE_ROOT", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "private" / "case-evidence"


@deconstructible
class PrivateEvidenceStorage(FileSystemStorage):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    @property
    def base_location(self) -> str:
        return str(evidence_root())

    @property
    def location(self) -> str:
        return str(evidence_root().resolve())

    def url(self, name: str | None) -> str:
        raise ValueError("Case evidence has no public URL: it is served only through the case's download view.")


private_evidence_storage = PrivateEvidenceStorage()
