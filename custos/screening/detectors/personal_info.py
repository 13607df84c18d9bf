"""Personal information: phone numbers, email addresses, home addresses and postcodes, dates of birth and
personal social-media handles (A.4.9, 5.4, 6.15, A.2.2).

Scans the original text (not the folded copy: folding turns digits into letters). Each pattern is gated by a
cheap test ("@" present, enough digits) so most posts cost a few string operations.
"""

from __future__ import annotations

import re

import phonenumbers

from custos.screening.context import Author, ScreeningContext, Venue
from custos.screening.findings import Category, Finding, Severity
from custos.screening.normalise import TextView

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
OBFUSCATED_EMAIL = re.compile(
    r"\b[A-Za-z0-9._-]{2,}\s*(?:\(at\)|\[at\]|\{at\}|\bat\b)\s*[A-Za-z0-9-]{2,}\s*(?:\(dot\)|\[dot\]|\{dot\}|\bdot\b)"
    r"\s*(?:com|co\s*(?:\(dot\)|\[dot\]|\bdot\b|\.)\s*uk|org|net|uk|ac\.uk|sch\.uk)\b",
    re.IGNORECASE,
)
PHONE_CLUSTER = re.compile(r"(?<![\w.:-])(?:\+|\(\+?)?\d[\d \t().\-/]{5,22}\d(?![\w]|\.\d|:\d)")
# Numbers shaped like something else: a US social security number, an IP address, an ISO date and time.
_NOT_PHONE = re.compile(r"\d{3}-\d{2}-\d{4}|\d{1,3}(?:\.\d{1,3}){3}|\d{4}-\d{2}-\d{2}(?:[ T]\d\d)?")
_WORD_AFTER = re.compile(r"[ \t]+[A-Za-z]")
PHONE_CUE = re.compile(
    r"\b(?:call|phone|ring|tel|telephone|mobile|mob|cell|number|no\.|text|txt|whatsapp|contact|fax|landline)\b",
    re.IGNORECASE,
)
# Postcode areas of the United Kingdom (and Crown dependencies), so "Y10 2nd" is not a postcode.
_AREAS = re.findall(
    r"[A-Z]+",
    "AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E "
    "EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS "
    "LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR "
    "SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE ",
)
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|(?:" + "|".join(sorted(_AREAS, key=len, reverse=True)) + r")\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
_DIGIT_GROUP = re.compile(r"\d+")
_DIGITS = re.compile(r"\d")
_ANY_DIGIT = _DIGITS
_ORDINAL_TAIL = re.compile(r"\d(?:st|nd|rd|th)$", re.IGNORECASE)
_STREET_TYPES = (
    r"Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Crescent|Cres|Gardens|Gdns|Place|Pl|Court|Ct|"
    r"Terrace|Tce|Grove|Gr|Hill|Park|Square|Sq|Walk|Mews|Row|Rise|View|Boulevard|Blvd|Parkway|Pkwy|Green|Vale|"
    r"Meadows?|Fields|Gate|Wharf|Croft|Parade|Highway|Hwy|Circle|Cir|Trail|Ridge|Heights|Estate|Wynd|Brow|"
    r"Chase|Approach|Embankment|Quay|Yard|Passage"
)
ADDRESS = re.compile(
    r"\b(?:(?:Flat|Apartment|Apt\.?|Unit)\s+\d+[A-Za-z]?,?\s+)?\d{1,5}[A-Za-z]?,?\s+(?:[A-Z][A-Za-z'\-]+\s+){1,3}"
    r"(?:" + _STREET_TYPES + r")\b\.?",
)
ADDRESS_WITH_CUE = re.compile(
    r"\b(?:live|living|lives|address is|house is|come to|come round to)\s+(?:at|on|in)?\s*"
    r"((?:\d{1,5}[a-z]?,?\s+)?(?:[a-z][a-z'\-]+\s+){1,3}(?:" + _STREET_TYPES + r"))\b",
    re.IGNORECASE,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+\d{4})?"
    r"|" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\d{4}-\d{2}-\d{2})"
)
DATE_OF_BIRTH = re.compile(
    r"\b(?:d\.?o\.?b\.?|date of birth|birth ?date|born(?: on)?|birthday(?: is)?|b'?day(?: is)?)"
    r"\s*(?:[:\-=]|is|was)?\s*(" + _DATE + r")",
    re.IGNORECASE,
)
_DOB_CUE = re.compile(r"dob|d\.o\.b|birth|born|bday|b'day", re.IGNORECASE)
HANDLE = re.compile(r"(?<![\w.@/])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{1,28}[A-Za-z0-9_])\b(?!@)")
PLATFORM_HANDLE = re.compile(
    r"\b(?:my|add me on|follow me on|message me on|msg me on|dm me on|hmu on|find me on)\s+"
    r"(?:snap|snapchat|sc|insta|instagram|ig|tiktok|tt|discord|kik|whatsapp|telegram|twitter|x|fb|facebook|roblox|xbox|psn)"
    r"(?:\s*(?:is|name|username|handle|id|:|-|=)\s*@?[\w.]{3,30})?",
    re.IGNORECASE,
)


def _clauses_and_severity(context: ScreeningContext) -> tuple[tuple[str, ...], Severity]:
    if context.venue is Venue.PERSONAL_WEBSPACE:
        return ("6.15",), Severity.WARN
    if context.author is Author.PUPIL:
        return ("A.2.2", "A.5.2"), Severity.BLOCK
    if context.author is Author.STAFF:
        return ("A.4.9", "5.4"), Severity.BLOCK
    return ("A.2.2", "A.4.4"), Severity.BLOCK


def _is_school_address(address: str, context: ScreeningContext) -> bool:
    domain = address.rsplit("@", 1)[-1].lower()
    return domain.endswith(".sch.uk") or any(
        domain == d.lower() or domain.endswith("." + d.lower()) for d in context.school_email_domains
    )


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in PHONE_CLUSTER.finditer(text):
        cluster = match.group()
        digits = sum(c.isdigit() for c in cluster)
        if digits < 7 or digits > 15:
            continue
        start, end = match.span()
        if cluster.startswith("(") and ")" not in cluster:
            start += 1
            cluster = cluster[1:]
        if re.fullmatch(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}", cluster.strip()):
            continue  # a date
        if re.fullmatch(r"(?:19|20)\d\d\s*[-/]\s*(?:19|20)?\d\d", cluster.strip()):
            continue  # a span of years
        if _NOT_PHONE.fullmatch(cluster.strip()) or (digits >= 12 and cluster.isdigit() and _luhn(cluster)):
            continue  # shaped like an SSN, IP address, timestamp or payment card
        if _looks_like_phone(text, start, end, cluster, digits):
            spans.append((start, end))
    return spans


def _luhn(number: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _looks_like_phone(text: str, start: int, end: int, cluster: str, digits: int) -> bool:
    try:
        number = phonenumbers.parse(cluster, "GB")
        if phonenumbers.is_valid_number(number):
            return True
    except phonenumbers.NumberParseException:
        pass
    if cluster.lstrip("(").startswith(("+", "00")) and digits >= 9:
        return True
    if PHONE_CUE.search(text, max(0, start - 40), start) is not None:
        return True
    groups = _DIGIT_GROUP.findall(cluster)
    if len(groups) < 2 or digits > 12:
        return False
    if len(groups) == 2 and not cluster.lstrip("(").startswith("0") and _WORD_AFTER.match(text, end):
        return False  # "370 3911 Fourth Avenue": house and street numbers
    # Grouped like a phone number: "416 60 039", "905-674-3793", "0378 3549890".
    return max(map(len, groups)) <= 5 or cluster.lstrip("(").startswith("0")


_PLATFORM_NAMES = (
    "snap snapchat sc insta instagram ig tiktok tt discord kik whatsapp telegram twitter x fb roblox xbox psn"
)
_PLATFORMS = frozenset(re.findall(r"\w+", _PLATFORM_NAMES + " facebook"))
_STREET_WORDS = frozenset(w.lower() for w in re.findall(r"[A-Za-z]+", _STREET_TYPES))
_INWARD_CODE = re.compile(r"\d[A-Za-z]{2}\b")


def find_personal_information(view: TextView, context: ScreeningContext) -> list[Finding]:
    text = view.text
    clauses, severity = _clauses_and_severity(context)
    findings: list[Finding] = []

    def found(span: tuple[int, int], reason: str, kind: str) -> Finding:
        return Finding(Category.PERSONAL_INFORMATION, severity, (span,), clauses, reason, kind)

    email_spans: list[tuple[int, int]] = []
    has_at = "@" in text
    if has_at:
        for match in EMAIL.finditer(text):
            email_spans.append(match.span())
            if context.venue is Venue.PERSONAL_WEBSPACE and _is_school_address(match.group(), context):
                findings.append(
                    Finding(
                        Category.PERSONAL_WEBSPACE,
                        Severity.WARN,
                        (match.span(),),
                        ("6.10",),
                        "A school email address on personal webspace: school addresses and official contact "
                        "details must not be used for personal social media (6.10).",
                        "school_email",
                    )
                )
                continue
            findings.append(
                found(match.span(), "An email address: personal contact details must not be shared here.", "email")
            )
    lowered_has_at = " at " in text or "(at)" in text or "[at]" in text
    if lowered_has_at and ("dot" in text or "DOT" in text):
        for match in OBFUSCATED_EMAIL.finditer(text):
            findings.append(
                found(
                    match.span(), "An email address written out to dodge filters ('name at domain dot com').", "email"
                )
            )
    digit_count = 0 if _ANY_DIGIT.search(text) is None else len(_DIGITS.findall(text))
    if digit_count >= 7:
        for span in _phone_spans(text):
            findings.append(found(span, "A telephone number: phone numbers must not be shared here.", "phone"))
    if digit_count >= 2 and _INWARD_CODE.search(text):
        for match in POSTCODE.finditer(text):
            postcode = match.group()
            if postcode.islower() and _ORDINAL_TAIL.search(postcode):
                continue  # "b12 3rd"
            if " " not in postcode and not postcode.isupper():
                continue
            findings.append(
                found(match.span(), "A UK postcode: with a house number it pinpoints where someone lives.", "postcode")
            )
    address_spans: list[tuple[int, int]] = []
    street_word = not _STREET_WORDS.isdisjoint(view.plain_words)
    if street_word and digit_count >= 1:
        address_spans.extend(m.span() for m in ADDRESS.finditer(text))
    if street_word and ("liv" in view.folded or "ddress" in view.folded or "come" in view.folded):
        address_spans.extend(m.span(1) for m in ADDRESS_WITH_CUE.finditer(text))
    for span in _merge(address_spans):
        findings.append(found(span, "A home or street address: it must not be shared here.", "address"))
    if digit_count >= 1 and _DOB_CUE.search(view.folded):
        for match in DATE_OF_BIRTH.finditer(text):
            findings.append(
                found(
                    match.span(), "A date of birth: personal information that must not be shared here.", "date_of_birth"
                )
            )
    if has_at:
        for match in HANDLE.finditer(text):
            if any(s <= match.start() < e for s, e in email_spans):
                continue
            findings.append(
                found(
                    match.span(),
                    "A social-media handle: a way to contact someone privately, off the school site.",
                    "social_handle",
                )
            )
    if not _PLATFORMS.isdisjoint(view.plain_words):
        for match in PLATFORM_HANDLE.finditer(text):
            findings.append(
                found(
                    match.span(),
                    "A personal social-media account or an invitation to contact off the school site.",
                    "social_handle",
                )
            )
    return findings


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
