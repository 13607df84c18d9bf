"""Staff rules. In official posts: personal opinions (A.4.10), commitments on behalf of the Trust (A.4.2) and
naming partners or others' work without recorded permission (A.4.6). On a staff member's personal webspace:
identifying as a Trust employee (6.1) and using the school's brand (6.12); school email (6.10) is found with
the other email addresses in personal_info."""

from __future__ import annotations

import re
from functools import lru_cache

from custos.screening.context import ScreeningContext
from custos.screening.findings import Category, Finding, Severity
from custos.screening.normalise import TextView
from custos.screening.wordlists import Hit

_ROLE = (
    r"(?:i\s+(?:work|teach|volunteer)|i'?m\s+(?:a|an|the)\s+[\w\- ]{1,30}?|i\s+am\s+(?:a|an|the)\s+[\w\- ]{1,30}?|"
    r"work(?:s|ing)?|teach(?:es|ing)?|employed|employee|member of staff|staff|teacher|head\s?teacher|headmaster|"
    r"headmistress|head of \w+|deputy head|teaching assistant|SENCO|governor|caretaker|receptionist|"
    r"business manager|bursar|lecturer|trainee teacher|NQT|ECT|TA|LSA|volunteer)"
)
_GENERIC_ORG = (
    r"(?:[A-Z][\w'&\-]*\s+){1,4}(?:Academy|School|Primary|College|Trust|High School|Grammar School|Infants|Juniors)\b"
)


@lru_cache(maxsize=32)
def _employment_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    named = "|".join(r"\s+".join(map(re.escape, n.split())) for n in sorted(names, key=len, reverse=True) if n.strip())
    generic = f"(?-i:{_GENERIC_ORG})"  # an unknown school must look like a name: capitalised words
    orgs = f"{named}|{generic}" if named else generic
    return re.compile(rf"\b{_ROLE}\s+(?:at|for|with|of|in)\s+(?:the\s+)?(?:{orgs})", re.IGNORECASE)


@lru_cache(maxsize=32)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    usable = [n for n in names if len(n.strip()) >= 3]
    if not usable:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, n.split())) for n in sorted(usable, key=len, reverse=True))
    return re.compile(rf"(?<!\w)#?(?:{alternatives})(?!\w)", re.IGNORECASE)


_BRAND_WORDS = re.compile(
    r"\b(?:school|trust|academy)(?:'s)?\s+(?:logo|crest|badge|brand|branding|emblem)s?\b", re.IGNORECASE
)


def find_official_post_issues(view: TextView, hits: list[Hit], context: ScreeningContext) -> list[Finding]:
    findings = []
    seen: set[tuple[str, int]] = set()
    for hit in hits:
        entry = hit.entry
        if entry.category is not Category.STAFF_OFFICIAL or (entry.kind, hit.start) in seen:
            continue
        seen.add((entry.kind, hit.start))
        if entry.kind == "reference" and _only_permitted_partners_after(view.text, hit.end, context):
            continue
        fragment = view.text[hit.start : hit.end]
        findings.append(
            Finding(
                entry.category,
                Severity.WARN,
                ((hit.start, hit.end),),
                entry.clauses,
                f"“{fragment}”: {entry.why}",
                entry.kind,
            )
        )
    if context.partners:
        pattern = _names_pattern(tuple(context.partners))
        if pattern is not None:
            permitted = {name.lower() for name, ok in context.partners.items() if ok}
            for match in pattern.finditer(view.text):
                name = " ".join(match.group().lstrip("#").split()).lower()
                if name in permitted:
                    continue
                findings.append(
                    Finding(
                        Category.STAFF_OFFICIAL,
                        Severity.WARN,
                        (match.span(),),
                        ("A.4.6",),
                        f"Names “{match.group()}”, for whom no permission is recorded: permission must be sought "
                        "before referencing partners, providers or others' work (A.4.6).",
                        "partner_without_permission",
                    )
                )
    return findings


def _only_permitted_partners_after(text: str, end: int, context: ScreeningContext) -> bool:
    permitted = [n for n, ok in context.partners.items() if ok]
    following = text[end : end + 80].lower().lstrip(" :")
    following = following.removeprefix("the ")
    return bool(permitted) and any(following.startswith(n.lower()) for n in permitted)


def find_webspace_issues(text: str, context: ScreeningContext) -> list[Finding]:
    findings = []
    for match in _employment_pattern(context.organisation_names).finditer(text):
        findings.append(
            Finding(
                Category.PERSONAL_WEBSPACE,
                Severity.WARN,
                (match.span(),),
                ("6.1",),
                f"“{match.group()}”: staff must not identify themselves as employees of the Trust on personal "
                "webspace (6.1).",
                "identifies_employer",
            )
        )
    identified = [f.spans[0] for f in findings]
    brand_pattern = _names_pattern(tuple(context.organisation_names) + tuple(context.brand_terms))
    spans = [m.span() for m in brand_pattern.finditer(text)] if brand_pattern else []
    spans += [m.span() for m in _BRAND_WORDS.finditer(text)]
    for start, end in sorted(set(spans)):
        if any(s <= start and end <= e for s, e in identified):
            continue
        findings.append(
            Finding(
                Category.PERSONAL_WEBSPACE,
                Severity.WARN,
                ((start, end),),
                ("6.12",),
                f"“{text[start:end]}”: the Trust's and schools' names, logos and brands must not be used or "
                "published on personal webspace (6.12).",
                "school_brand",
            )
        )
    return findings
