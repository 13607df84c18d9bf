"""Form widgets shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms


class DatePicker(forms.DateInput):
    """The browser's date picker. Its ``value`` must be ISO (2026-11-16): a UK-formatted value ("16/11/2026") is
    rejected by the browser, which then shows the field empty and the form comes back "This field is required"."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")
