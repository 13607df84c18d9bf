"""The subject access archive: ``data.json`` (machine-readable), ``report.html`` (for people; every value escaped)
and the person's own uploaded files, in one ``.zip``."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from custos.privacy.registry import Subject, all_sections


@dataclass(frozen=True)
class Archive:
    data: bytes
    sha256: str
    sections: list[dict[str, Any]]
    withheld: list[dict[str, str]]


def build_archive(subject: Subject, *, request_id: int, requested_by: str) -> Archive:
    gathered = []
    files: list[tuple[str, bytes]] = []
    withheld: list[dict[str, str]] = []
    for spec in all_sections():
        part = spec.func(subject)
        gathered.append({"key": spec.key, "title": spec.title, "records": part.records})
        files += [(f"files/{name}", content) for name, content in part.files]
        withheld += [{"section": spec.title, **item.as_dict()} for item in part.withheld]
    generated_at = timezone.now()
    document = {
        "request": request_id,
        "subject": subject.label,
        "generated_at": generated_at.isoformat(),
        "requested_by": requested_by,
        "sections": gathered,
        "withheld": withheld,
        "files": [name for name, _ in files],
    }
    report = render_to_string(
        "privacy/report.html",
        {"document": document, "sections": gathered, "withheld": withheld, "generated_at": generated_at},
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, indent=2, ensure_ascii=False, default=str))
        archive.writestr("report.html", report)
        for name, content in files:
            archive.writestr(name, content)
    data = buffer.getvalue()
    summary = [{"title": s["title"], "records": len(s["records"])} for s in gathered]
    return Archive(data, hashlib.sha256(data).hexdigest(), summary, withheld)
