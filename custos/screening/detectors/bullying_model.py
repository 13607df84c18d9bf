"""A small logistic-regression model for bullying aimed at a person (5.5, A.2.2), beside the word lists.

Its weights are a JSON file in the repo (``data/bullying_model.json``), trained offline by
``custos.screening.train_bullying_model`` on the dev part of the Formspring data only. Scoring a text is one
dictionary lookup per word.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from custos.screening.findings import Category, Finding, Severity
from custos.screening.normalise import TextView

_SECOND_PERSON = frozenset({"you", "u", "ya", "yu", "yuh", "ur", "your", "youre", "yourself", "urself", "yur", "yall"})


def features(view: TextView, kinds: set[str]) -> set[str]:
    """Words, word pairs, the kinds of word-list finding already made, and whether "you" is addressed."""
    words = view.collapsed_words
    out = set(words) | {f"{a} {b}" for a, b in pairwise(words)} | {f"@{k}" for k in kinds}
    if not _SECOND_PERSON.isdisjoint(words):
        out.add("@you")
        out |= {f"@you+{k}" for k in kinds}
    return out


class BullyingModel:
    def __init__(self, data: dict[str, object]) -> None:
        self.weights: dict[str, float] = {k: float(v) for k, v in dict(data["weights"]).items()}  # type: ignore[call-overload]
        self.bias = float(data["bias"])  # type: ignore[arg-type]
        self.threshold = float(data["threshold"])  # type: ignore[arg-type]
        self.version = str(data.get("version", ""))
        self._pair_starts = frozenset(k.split(" ", 1)[0] for k in self.weights if " " in k)

    def probability(self, view: TextView, kinds: set[str]) -> float:
        """The same sum as over ``features``, without building every word pair."""
        weights = self.weights
        words = view.collapsed_words
        get = weights.get
        score = self.bias + sum(get(w, 0.0) for w in set(words)) + sum(get(f"@{k}", 0.0) for k in kinds)
        starts = self._pair_starts
        pairs = {f"{a} {b}" for a, b in pairwise(words) if a in starts}
        score += sum(get(p, 0.0) for p in pairs)
        if not _SECOND_PERSON.isdisjoint(words):
            score += get("@you", 0.0) + sum(get(f"@you+{k}", 0.0) for k in kinds)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))

    def find(self, view: TextView, kinds: set[str]) -> list[Finding]:
        if not view.plain_words:
            return []
        probability = self.probability(view, kinds)
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
    source = resources.files("custos.screening") / "data" / "bullying_model.json"
    if not source.is_file():
        return None
    return BullyingModel(json.loads(source.read_text(encoding="utf-8")))
