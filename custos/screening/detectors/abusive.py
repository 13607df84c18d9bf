"""Abuse, hate and bullying from the word-list hits, with the context rules that keep counter-speech,
quotation and reclaimed use out of the hate category (5.5, A.4.5, A.5.6)."""

from __future__ import annotations

from itertools import pairwise

from custos.screening.findings import Category, Finding, Severity
from custos.screening.normalise import TextView, collapse
from custos.screening.wordlists import Hit

SECOND_PERSON = frozenset({"you", "u", "ya", "yu", "yuh", "ur", "your", "youre", "yours", "yourself", "urself", "yall",
                           "yur", "yer", "thou", "yourselves"})  # fmt: skip
# Words before an ambiguous term that aim it at someone: "you gay", "fucking queer", "dirty ape".
_AIMING = SECOND_PERSON | frozenset(
    {"fucking", "fuckin", "fkn", "dirty", "filthy", "stupid", "fat", "ugly", "little", "lil", "typical", "bunch",
     "such", "damn", "bloody", "ass", "big", "dumb", "lazy", "smelly", "fuck", "fucken", "shut"}
)  # fmt: skip
# "they're trash", "a monkey", "so ghetto": aiming words for put-downs that are not identity words (an
# identity word after "is" - "he is gay" - is a description, not an insult).
_PREDICATING = frozenset({"re", "r", "a", "another", "so", "how", "such", "them", "those", "these", "dem"})
_AIMING_AFTER = frozenset({"ass", "bitch", "boy", "cunt", "fuck", "lover", "bastard", "twat", "shit", "motherfucker"})
# Self-identification ("I'm queer", "as a dyke", "proud homo", "my queer friends", "us dykes"); a bare "I" or "me"
# nearby is not ("I got a dyke as a manager").
_FIRST_PERSON = frozenset({"im", "am", "my", "our", "proud", "fellow", "as", "myself", "ourselves", "identify"})
_FIRST_PERSON_PAIRS = frozenset({("i", "m"), ("we", "re"), ("we", "are"), ("we", "were")})
_FIRST_PERSON_APPOSITION = frozenset({"we", "us"})
# Identity words that, as a bare noun after "a" at the end of a clause, name a person as a slur ("he's a queer.").
_SLUR_NOUNS = frozenset({"queer", "queers", "homo", "homos", "lesbo", "lesbos", "lezza", "lezzer"})
_NEUTRAL_AFTER = frozenset(
    {"community", "pride", "people", "rights", "history", "club", "society", "alliance", "flag", "month", "couple",
     "couples", "marriage", "friendly", "men", "women", "students", "person", "persons", "identity", "culture",
     "studies", "theory", "characters", "character", "representation", "parents", "members", "bar", "icon",
     "support", "group", "youth", "teens", "and", "or", "awareness", "equality"}
)  # fmt: skip
# Talking about a word rather than using it: "the word X", "don't call people X", "he called me X".
_MENTION_NOUNS = frozenset({"word", "words", "term", "terms", "slur", "slurs", "label", "insult", "insults"})
_MENTION_VERBS = frozenset(
    {"call", "calling", "called", "calls", "say", "saying", "said", "says", "use", "using", "used", "uses", "shout",
     "shouted", "shouting", "wrote", "write", "writing", "written", "spell", "mean", "means", "meant", "tweeted",
     "posted", "yelled", "heard", "hear"}
)  # fmt: skip
_CHALLENGE = frozenset(
    {"don", "dont", "not", "never", "stop", "shouldn", "mustn", "no", "isn", "wasn", "ain", "aren", "reported",
     "report", "wrong", "unacceptable", "offensive", "racist", "homophobic", "transphobic", "hurtful", "banned",
     "why", "because", "please", "won", "cannot", "can"}
)  # fmt: skip
_JUDGED_AFTER = frozenset(
    {"slur", "slurs", "offensive", "racist", "homophobic", "transphobic", "disablist", "ableist", "derogatory",
     "unacceptable", "hurtful", "hateful", "wrong", "banned", "word", "not", "never"}
)  # fmt: skip
_DOUBLE_QUOTES = '"“”«»„'
# A quoted stretch this short is a word or phrase being quoted ("stupid niggers"); longer is a quoted sentence.
_MAX_QUOTED_WORDS = 3
# Object pronouns mark a report ("he called me X", "calling him X") only straight after the verb of calling.
_REPORTED_OBJECTS = frozenset({"me", "him", "her", "us", "them", "my"})
# A mention noun introduces the word only within the same clause: "the word X", not "…an insult.” @a @b X".
_CLAUSE_BREAKS = frozenset(".!?;:@\n")
_SINGLE_QUOTES = "'‘’`"
_INSULT_KINDS = frozenset(
    {"strong_profanity", "insult", "racist", "homophobic", "transphobic", "disablist", "religious"}
)
_NOUN_INSULTS = frozenset(
    {"bitch", "bitches", "slut", "whore", "hoe", "cunt", "twat", "wanker", "prick", "dick", "dickhead", "idiot",
     "moron", "loser", "retard", "retarded", "faggot", "fag", "skank", "slag", "tosser", "bellend", "knobhead",
     "freak", "weirdo", "creep", "perv", "pervert", "nonce", "bastard", "asshole", "arsehole", "douche", "douchebag",
     "scumbag", "muppet", "spaz", "spastic", "mong", "tranny", "dyke", "pussy", "thot", "bimbo", "imbecile"}
)  # fmt: skip


def _words_before(view: TextView, index: int, count: int) -> list[str]:
    return [w[0] for w in view.words[max(0, index - count) : index]]


def _is(word: str, vocabulary: frozenset[str]) -> bool:
    return word in vocabulary or collapse(word) in vocabulary


def _any(words: list[str], vocabulary: frozenset[str]) -> bool:
    return any(_is(w, vocabulary) for w in words)


def _words_after(view: TextView, index: int, count: int) -> list[str]:
    return [w[0] for w in view.words[index + 1 : index + 1 + count]]


def is_quoted(text: str, start: int, end: int) -> bool:
    """The slur itself is in quotation marks (`he called me a "paki"`, `search "stupid niggers"`): a mention.

    A longer quoted stretch - a quoted sentence, or a quoted post (“@name: …”) - is repeating what was said,
    not discussing a word, so quotation alone does not make it a mention (docs/screening.md, A.5.6).
    """
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    if any(q in before for q in _DOUBLE_QUOTES + _SINGLE_QUOTES) and any(
        q in after for q in _DOUBLE_QUOTES + _SINGLE_QUOTES
    ):
        return True
    opened = sum(text.count(q, 0, start) for q in _DOUBLE_QUOTES)
    if opened % 2 == 0:
        return False
    close = min((i for i in (text.find(q, end) for q in _DOUBLE_QUOTES) if i >= 0), default=-1)
    if close < 0:
        return False
    open_at = max(text.rfind(q, 0, start) for q in _DOUBLE_QUOTES)
    quoted = text[open_at + 1 : close].strip()
    return not quoted.startswith("@") and len(quoted.split()) <= _MAX_QUOTED_WORDS


def is_mention(view: TextView, hit: Hit) -> bool:
    """Counter-speech, reporting or discussion of a word rather than its use against someone."""
    if hit.first_word < 0:
        return False
    before = _words_before(view, hit.first_word, 8)
    near = before[-3:]
    for offset, word in enumerate(near):
        if word in _MENTION_NOUNS:
            noun_end = view.words[hit.first_word - len(near) + offset][2]
            if _CLAUSE_BREAKS.isdisjoint(view.text[noun_end : hit.start]):
                return True
    if "n" in near[-1:] and "word" in before:
        return True
    after = _words_after(view, hit.last_word, 6)
    if {"is", "are", "isn", "was", "s"} & set(after[:3]) and any(w in _JUDGED_AFTER for w in after[1:]):
        return True
    recent = before[-5:]
    if any(w in _MENTION_VERBS for w in recent):
        reported = any(
            w in _MENTION_VERBS and i + 1 < len(before) and before[i + 1] in _REPORTED_OBJECTS
            for i, w in enumerate(before)
        )
        challenged = any(w in _CHALLENGE for w in before)
        return challenged or reported or any(w in _JUDGED_AFTER for w in after)
    return False


def _is_aimed(view: TextView, hit: Hit) -> bool:
    if hit.first_word < 0:
        return True
    before = _words_before(view, hit.first_word, 2)
    after = _words_after(view, hit.last_word, 1)
    if after and after[0] in _NEUTRAL_AFTER:
        return False
    if not hit.entry.reclaimable and _any(before, _PREDICATING):
        return True
    if hit.entry.reclaimable and before[-1:] in (["a"], ["another"]) and view.words[hit.last_word][0] in _SLUR_NOUNS:
        rest = view.text[hit.end : hit.end + 2].lstrip(" ")
        if not rest or not rest[0].isalnum():
            return True  # "he's a queer." - a noun for a person, not "a queer club"
    return _any(before, _AIMING) or bool(after and _is(after[0], _AIMING_AFTER))


def _is_first_person(view: TextView, hit: Hit) -> bool:
    if hit.first_word < 0:
        return False
    before = _words_before(view, hit.first_word, 3)
    if any(w in _FIRST_PERSON for w in before) or (before and before[-1] in _FIRST_PERSON_APPOSITION):
        return True
    return any(pair in _FIRST_PERSON_PAIRS for pair in pairwise(before))


def _quote(text: str, start: int, end: int) -> str:
    fragment = " ".join(text[start:end].split())
    return fragment if len(fragment) <= 60 else fragment[:57] + "..."


def find_abuse_hate_bullying(view: TextView, hits: list[Hit]) -> list[Finding]:
    text = view.text
    findings: list[Finding] = []
    seen: set[tuple[str, int, int]] = set()
    for hit in hits:
        entry = hit.entry
        category = entry.category
        if category not in (Category.ABUSE, Category.HATE, Category.BULLYING):
            continue
        key = (category.value, hit.start, hit.end)
        if key in seen:
            continue
        seen.add(key)
        matched = _quote(text, hit.start, hit.end)
        if entry.needs_target and not _is_aimed(view, hit):
            continue
        if category is Category.HATE:
            if entry.reclaimable and _is_first_person(view, hit):
                continue
            if is_quoted(text, hit.start, hit.end) or is_mention(view, hit):
                findings.append(
                    Finding(
                        Category.ABUSE,
                        Severity.INFO,
                        ((hit.start, hit.end),),
                        ("A.4.5",),
                        f"A slur (“{matched}”) quoted, reported or challenged rather than used against someone: "
                        "not treated as hate, but a moderator may want to see it.",
                        "mentioned_slur",
                    )
                )
                continue
        reason = f"{entry.kind.replace('_', ' ').capitalize()}: “{matched}”. {entry.why}"
        findings.append(Finding(category, entry.severity, ((hit.start, hit.end),), entry.clauses, reason, entry.kind))
    findings.extend(_aimed_insults(view, hits, seen))
    return _drop_overlaps(findings)


def _drop_overlaps(findings: list[Finding]) -> list[Finding]:
    """Within a category, one finding per stretch of text: the most severe, then the longest."""
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (-f.severity.rank, f.start - f.end, f.start)):
        if not any(k.category is finding.category and k.start < finding.end and finding.start < k.end for k in kept):
            kept.append(finding)
    return kept


def _aimed_insults(view: TextView, hits: list[Hit], seen: set[tuple[str, int, int]]) -> list[Finding]:
    """An insult aimed at "you" ("ur a fake bitch", "you retard") is bullying as well as abuse (5.5)."""
    out = []
    for hit in hits:
        if hit.first_word < 0 or hit.entry.kind not in _INSULT_KINDS or hit.first_word != hit.last_word:
            continue
        word = view.words[hit.first_word][0]
        if (
            word not in _NOUN_INSULTS
            and collapse(word) not in _NOUN_INSULTS
            and hit.entry.category is not Category.HATE
        ):
            continue
        before = _words_before(view, hit.first_word, 4)
        if not _any(before, SECOND_PERSON):
            continue
        if any(w in _MENTION_VERBS for w in before) and any(w in _CHALLENGE for w in before):
            continue  # "don't call you a ..." / reporting
        first = hit.first_word - len(before) + next(i for i, w in enumerate(before) if _is(w, SECOND_PERSON))
        start = view.words[first][1]
        if any(k[0] == "bullying" and k[1] < hit.end and start < k[2] for k in seen):
            continue
        seen.add(("bullying", start, hit.end))
        out.append(
            Finding(
                Category.BULLYING,
                Severity.BLOCK,
                ((start, hit.end),),
                ("5.5", "A.2.2"),
                f"An insult aimed at a person (“{_quote(view.text, start, hit.end)}”): bullying or harassment "
                "breaches 5.5; A.2.2 warns young people can become victims of cyberbullying.",
                "aimed_insult",
            )
        )
    return out
