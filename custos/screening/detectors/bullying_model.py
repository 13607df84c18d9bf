"""A small logistic-regression model for bullying aimed at a person (5.5, A.2.2), beside the word lists.

Its weights are a JSON file in the repo (``data/bullying_model.json``), trained offline by
``custos.screening.train_bullying_model`` on the dev part of the Formspring data only. Scoring a text is one
dictionary lookup per word.
"""

from __future__ import annotations

from functools import lru_cache

from custos.screening.detectors.linear_model import LinearWordModel, load_weights, word_features
from custos.screening.findings import Category, Finding, Severity
from custos.screening.normalise import TextView

_SECOND_PERSON = frozenset({"you", "u", "ya", "yu", "yuh", "ur", "your", "youre", "yourself", "urself", "yur", "yall"})


def tags(view: TextView, kinds: set[str]) -> set[str]:
    """The kinds of word-list finding already made, whether "you" is addressed, and the two together."""
    out = set(kinds)
    if not _SECOND_PERSON.isdisjoint(view.collapsed_words):
        out.add("you")
        out |= {f"you+{k}" for k in kinds}
    return out


def features(view: TextView, kinds: set[str]) -> set[str]:
    return word_features(view.collapsed_words, tags(view, kinds))


class BullyingModel(LinearWordModel):
    def find(self, view: TextView, kinds: set[str]) -> list[Finding]:
        if not view.plain_words:
            return []
        probability = self.probability(view.collapsed_words, tags(view, kinds))
        if probability < self.threshold:
            return []
        return [
            Finding(
                Category.BULLYING,
                Severity.WARN,
                ((0, len(view.text)),),
                ("5.5", "A.2.2"),
                f"Reads like bullying or harassment aimed at someone (model score {probability:.2f}): a moderator "
                "should check it. Attacking or insulting people breaches 5.5.",
                "bullying_model",
            )
        ]


@lru_cache(maxsize=1)
def bullying_model() -> BullyingModel | None:
    data = load_weights("bullying_model.json")
    return None if data is None else BullyingModel(data)
