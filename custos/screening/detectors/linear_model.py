"""Small logistic-regression models over words, shipped as JSON weights and scored with dictionary lookups.

Two detectors use one: the bullying model (``bullying_model.py``) and the offensive-language model that judges
ambiguous word-list matches in context (``offensive_model.py``). Each is trained offline by its own
``custos.screening.train_*`` script on the dev part of the shared data only; nothing is fitted at run time and
nothing is downloaded.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from importlib import resources
from itertools import pairwise


def word_features(words: Sequence[str], tags: Iterable[str]) -> set[str]:
    """Every feature a model can weigh: the words, each pair of neighbouring words, and ``@``-tags."""
    return {w for w in words if w} | {f"{a} {b}" for a, b in pairwise(words) if a and b} | {f"@{t}" for t in tags}


class LinearWordModel:
    """Weights for words, word pairs and ``@``-tags; probability = logistic(bias + sum of present weights)."""

    def __init__(self, data: dict[str, object]) -> None:
        self.weights: dict[str, float] = {k: float(v) for k, v in dict(data["weights"]).items()}  # type: ignore[call-overload]
        self.bias = float(data["bias"])  # type: ignore[arg-type]
        self.threshold = float(data["threshold"])  # type: ignore[arg-type]
        self.version = str(data.get("version", ""))
        self._pair_starts = frozenset(k.split(" ", 1)[0] for k in self.weights if " " in k)

    def probability(self, words: Sequence[str], tags: Iterable[str]) -> float:
        """The same sum as over ``word_features(words, tags)``, without building every word pair."""
        get = self.weights.get
        score = self.bias + sum(get(w, 0.0) for w in set(words)) + sum(get(f"@{t}", 0.0) for t in set(tags))
        starts = self._pair_starts
        score += sum(get(p, 0.0) for p in {f"{a} {b}" for a, b in pairwise(words) if a in starts})
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


def load_weights(file_name: str) -> dict[str, object] | None:
    source = resources.files("custos.screening") / "data" / file_name
    if not source.is_file():
        return None
    return json.loads(source.read_text(encoding="utf-8"))
