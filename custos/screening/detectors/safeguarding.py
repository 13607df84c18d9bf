"""Safeguarding: self-harm, disclosures, grooming, sexual content involving young people, radicalisation and
weapons. Always ``escalate`` (A.2.2, A.2.3, A.5.6): a person must read it now, whatever else the text holds."""

from __future__ import annotations

from collections import defaultdict

from custos.screening.findings import Category, Finding, Severity
from custos.screening.normalise import TextView
from custos.screening.wordlists import Entry, Hit

_DESCRIBED = {
    "self_harm": "Possible suicidal thoughts or self-harm",
    "abuse_disclosure": "A possible disclosure of abuse or neglect",
    "grooming": "A grooming pattern",
    "sexual_content_minors": "Sexual content that may involve young people",
    "radicalisation": "Extremist or radicalising language",
    "weapons": "A weapon or a threat of armed violence",
}


def find_safeguarding(view: TextView, hits: list[Hit]) -> list[Finding]:
    strong: dict[str, list[Hit]] = defaultdict(list)
    weak: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        if hit.entry.category is Category.SAFEGUARDING:
            (strong if hit.entry.weight >= 1 else weak)[hit.entry.kind].append(hit)
    findings = []
    for kind in strong.keys() | weak.keys():
        chosen = strong.get(kind) or []
        weak_hits = _distinct(weak.get(kind, []))
        if not chosen and sum(h.entry.weight for h in weak_hits) < 1:
            continue
        spans = _merge([(h.start, h.end) for h in chosen or weak_hits])
        entry: Entry = (chosen or weak_hits)[0].entry
        clauses = tuple(dict.fromkeys(("A.2.3", *entry.clauses, "A.2.2") if kind == "grooming" else entry.clauses))
        quoted = "; ".join(f"“{view.text[s:e]}”" for s, e in spans[:3])
        signals = "" if chosen else " (several weaker signals together)"
        findings.append(
            Finding(
                Category.SAFEGUARDING,
                Severity.ESCALATE,
                tuple(spans),
                clauses,
                f"{_DESCRIBED.get(kind, kind)}{signals}: {quoted}. {entry.why}",
                kind,
            )
        )
    return findings


def _distinct(hits: list[Hit]) -> list[Hit]:
    """One hit per distinct entry term, so one word repeated is still one signal."""
    by_term: dict[str, Hit] = {}
    for hit in hits:
        by_term.setdefault(hit.entry.term, hit)
    return list(by_term.values())


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
