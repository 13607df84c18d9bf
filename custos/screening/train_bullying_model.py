"""Offline training of the small bullying model shipped as ``data/bullying_model.json`` (not used at run time).

    .venv/bin/python -m custos.screening.train_bullying_model [--eval-dir ../shared/eval]

A logistic regression over the words of a post (folded, repeated letters collapsed, plus word pairs), trained
ONLY on the Formspring rows that bench/screening_eval.py calls "dev" (sha1(text) % 10 >= 3); the held-out 30% is
never read. The decision threshold is chosen by 5-fold cross-validation inside the dev rows. Needs scikit-learn
(installed alongside alt-profanity-check); the engine itself only reads the JSON of weights.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import json
from pathlib import Path

from custos.screening.detectors.bullying_model import features
from custos.screening.engine import screen
from custos.screening.normalise import TextView

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "data" / "bullying_model.json"


def is_held_out(text: str) -> bool:
    return int(hashlib.sha1(text.encode("utf-8", "replace"), usedforsecurity=False).hexdigest()[:8], 16) % 10 < 3


def main() -> None:
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import cross_val_predict

    parser = argparse.ArgumentParser()
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--features", type=int, default=4000)
    args = parser.parse_args()
    with (args.eval_dir / "formspring/formspring.tsv").open(newline="", encoding="utf-8", errors="replace") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"))
    texts, labels = [], []
    for row in rows:
        text = html.unescape(row["post"].replace("<br>", "\n"))
        if is_held_out(text):
            continue  # never trained or tuned on
        texts.append(text)
        labels.append(int(sum(row[k] == "Yes" for k in ("ans1", "ans2", "ans3")) >= 2))
    vectoriser = DictVectorizer()
    rows_features = [
        dict.fromkeys(features(TextView(t), {f.kind for f in screen(t) if f.kind != "bullying_model"}), 1)
        for t in texts
    ]
    matrix = vectoriser.fit_transform(rows_features)
    y = np.array(labels)
    model = LogisticRegression(C=0.5, class_weight="balanced", max_iter=2000)
    scores = cross_val_predict(model, matrix, y, cv=5, method="predict_proba")[:, 1]
    thresholds = np.linspace(0.3, 0.95, 66)
    f1s = [f1_score(y, scores >= t) for t in thresholds]
    threshold = float(thresholds[int(np.argmax(f1s))])
    model.fit(matrix, y)
    weights = dict(zip(vectoriser.get_feature_names_out(), model.coef_[0], strict=True))
    kept = sorted(weights.items(), key=lambda kv: abs(kv[1]), reverse=True)[: args.features]
    OUT.write_text(
        json.dumps(
            {
                "name": "bullying_model",
                "version": "2025.1",
                "why": "Logistic regression over words and word pairs, trained on the dev 70% of Formspring "
                "(Reynolds et al. 2011) to find bullying aimed at a person (5.5, A.2.2).",
                "trained_on": f"formspring dev split: {len(texts)} posts, {int(y.sum())} bullying",
                "cross_validated_f1": round(max(f1s), 3),
                "threshold": round(threshold, 3),
                "bias": round(float(model.intercept_[0]), 4),
                "weights": {k: round(float(v), 4) for k, v in sorted(kept)},
            },
            indent=0,
            ensure_ascii=False,
        )
        + "\n"
    )
    print(f"cross-validated F1 {max(f1s):.3f} at threshold {threshold:.2f}; wrote {OUT}")


if __name__ == "__main__":
    main()
