"""The entry point: ``screen(text, context) -> list[Finding]`` and its batch form ``screen_many``."""

from __future__ import annotations

from collections.abc import Iterable

from custos.screening.context import DEFAULT_CONTEXT, ScreeningContext, Venue
from custos.screening.detectors.abusive import SECOND_PERSON, find_abuse_hate_bullying
from custos.screening.detectors.bullying_model import bullying_model
from custos.screening.detectors.offensive_model import offensive_model
from custos.screening.detectors.personal_info import find_personal_information
from custos.screening.detectors.safeguarding import find_safeguarding
from custos.screening.detectors.staff import find_official_post_issues, find_webspace_issues
from custos.screening.findings import Category, Finding
from custos.screening.normalise import TextView
from custos.screening.wordlists import matcher_for


def screen(text: str, context: ScreeningContext = DEFAULT_CONTEXT) -> list[Finding]:
    """Every finding in ``text``, most severe first within each position, spans in the original text."""
    if not isinstance(text, str):
        raise TypeError(f"screen() needs a str, not {type(text).__name__}")
    if not text:
        return []
    view = TextView(text)
    hits = matcher_for(context.word_lists).find(view)
    findings = find_personal_information(view, context)
    if context.roster is not None:
        findings += context.roster.find(view, context)
    if hits:
        findings += find_abuse_hate_bullying(view, hits)
        findings += find_safeguarding(view, hits)
        judge = offensive_model()
        if judge is not None:
            findings += judge.find(view, findings, hits)
    model = bullying_model()
    if model is not None and (hits or not SECOND_PERSON.isdisjoint(view.plain_words)):
        kinds = {f.kind for f in findings}
        if not any(f.category is Category.BULLYING for f in findings):
            findings += model.find(view, kinds)
    if context.is_official_staff_post:
        findings += find_official_post_issues(view, hits, context)
    if context.venue is Venue.PERSONAL_WEBSPACE:
        findings += find_webspace_issues(text, context)
    findings.sort(key=lambda f: (f.start, -f.severity.rank, f.end))
    return findings


def screen_many(texts: Iterable[str], context: ScreeningContext = DEFAULT_CONTEXT) -> list[list[Finding]]:
    """``screen`` over many texts sharing one context (one roster, one set of word lists)."""
    matcher_for(context.word_lists)  # compile once, up front
    return [screen(text, context) for text in texts]
