"""A second opinion on word-list matches the rules let through: offensive or hateful in context? (5.5, A.4.5)

The word lists hold words that are only sometimes abusive: "cracker", "queer", "trash", "ghetto", "monkey",
"gay"... The rules flag them only when aimed at someone or said of a group, and otherwise stay quiet, which misses
hateful uses phrased in ways no rule foresaw. This model, a logistic regression over the words around the match
(``data/offensive_model.json``, trained offline by ``custos.screening.train_offensive_model`` on the dev 70% of
the Davidson tweets only), reads those texts and raises a ``warn`` for a moderator when the wording reads as
offensive.

It runs only on a text with an abuse, hate or bullying word-list match and no abuse, hate or bullying finding:
never on text with no listed word, so a pupil's everyday slang or dialect is not scored at all, and never over a
slur the rules judged quoted, reported or challenged (``mentioned_slur``), so counter-speech stays unflagged.
"""

from __future__ import annotations

import re
from functools import lru_cache

from custos.screening.detectors.linear_model import LinearWordModel, load_weights, word_features
from custos.screening.findings import Category, Finding, Severity
from custos.screening.normalise import TextView
from custos.screening.wordlists import Hit

ABUSIVE = frozenset({Category.ABUSE, Category.HATE, Category.BULLYING})
MODEL_KINDS = frozenset({"bullying_model", "offensive_model"})
_TAGGED = frozenset({Category.ABUSE, Category.HATE, Category.BULLYING, Category.SAFEGUARDING})
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Pieces of retweets, links and HTML entities that say nothing about the writer's words.
_PLATFORM_WORDS = frozenset({"rt", "htp", "htps", "co", "t", "amp", "w", "com"})


WINDOW = 3  # words either side of a match that the model reads


def content_words(view: TextView, hits: list[Hit]) -> list[str]:
    """The words near each abusive match (repeated letters collapsed), leaving out @handles, links and retweet
    markers; "" where words were skipped, so no word pair spans a gap."""
    text = view.text
    links = [m.span() for m in _URL.finditer(text)] if "/" in text or "www" in view.folded else []
    abusive = [hit for hit in hits if hit.entry.category in ABUSIVE]
    whole_text = any(hit.first_word < 0 for hit in abusive)  # a spaced-out or masked word: read everything
    near = {i for hit in abusive for i in range(hit.first_word - WINDOW, hit.last_word + WINDOW + 1)}
    out: list[str] = []
    for index, ((_, start, _end), word) in enumerate(zip(view.words, view.collapsed_words, strict=True)):
        if (
            (not whole_text and index not in near)
            or word in _PLATFORM_WORDS
            or text[start] == "@"
            or (start and text[start - 1] == "@")
            or (links and any(a <= start < b for a, b in links))
        ):
            if out and out[-1]:
                out.append("")
            continue
        out.append(word)
    return out


def tags(findings: list[Finding], hits: list[Hit]) -> set[str]:
    """What the rules already said: the kinds of finding made and the kinds of abusive word matched."""
    return {f.kind for f in findings if f.category in _TAGGED and f.kind not in MODEL_KINDS} | {
        f"hit:{h.entry.kind}" for h in hits if h.entry.category in ABUSIVE
    }


def features(view: TextView, findings: list[Finding], hits: list[Hit]) -> set[str]:
    return word_features(content_words(view, hits), tags(findings, hits))


def applies(findings: list[Finding], hits: list[Hit]) -> bool:
    """Only where the rules matched an abusive word and then made no abuse, hate or bullying finding of it."""
    return any(h.entry.category in ABUSIVE for h in hits) and not any(
        f.category in ABUSIVE and (f.severity is not Severity.INFO or f.kind == "mentioned_slur") for f in findings
    )


class OffensiveModel(LinearWordModel):
    def find(self, view: TextView, findings: list[Finding], hits: list[Hit]) -> list[Finding]:
        if not applies(findings, hits):
            return []
        probability = self.probability(content_words(view, hits), tags(findings, hits))
        if probability < self.threshold:
            return []
        spans = _merged(sorted({(h.start, h.end) for h in hits if h.entry.category in ABUSIVE}))
        words = ", ".join(f"“{view.text[a:b]}”" for a, b in spans[:3])
        return [
            Finding(
                Category.ABUSE,
                Severity.WARN,
                spans,
                ("5.5", "A.4.5"),
                f"{words} may be used offensively here (model score {probability:.2f}): a moderator should read it "
                "in context. Offensive or hateful language breaches 5.5 and A.4.5.",
                "offensive_model",
            )
        ]


def _merged(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)


@lru_cache(maxsize=1)
def offensive_model() -> OffensiveModel | None:
    data = load_weights("offensive_model.json")
    return None if data is None else OffensiveModel(data)
