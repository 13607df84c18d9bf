"""Offline training of the offensive-language model shipped as ``data/offensive_model.json`` (not used at run time).

    .venv/bin/python -m custos.screening.train_offensive_model [--eval-dir ../shared/eval]

A logistic regression with an L1 penalty (C=1, so most weights are exactly zero) over the words within three of
an abusive word-list match, their pairs, and what the rules already said (kinds of finding made, kinds of abusive
word matched), trained ONLY on the Davidson rows that bench/screening_eval.py calls "dev" (sha1(text) % 10 >= 3);
the held-out 30% is never read. Label: hate speech or offensive language (class 0 or 1). The window (3 words) and
the penalty were chosen by the same cross-validation (windows of 2, 3, 5 and the whole text, L1 and L2 all scored
within 0.002 of each other; the smallest model that did as well was kept).

The decision threshold is chosen by 5-fold cross-validation inside the dev rows, for the engine as it runs: the
rules' own verdict, or the model where it applies (an abusive word matched and the rules made no abuse, hate or
bullying finding of it). The threshold with the best cross-validated F1 of that combination wins; on a tie the
lower one (a moderator would rather read one more post than miss a hateful one). Needs scikit-learn (installed
alongside alt-profanity-check); the engine only reads the JSON of weights.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
from pathlib import Path

from custos.screening.detectors.offensive_model import ABUSIVE, MODEL_KINDS, applies, features
from custos.screening.engine import screen
from custos.screening.findings import Severity
from custos.screening.normalise import TextView
from custos.screening.train_bullying_model import REPO, is_held_out
from custos.screening.wordlists import matcher_for

OUT = Path(__file__).resolve().parent / "data" / "offensive_model.json"
MIN_WEIGHT = 1e-6  # the L1 penalty leaves most weights at exactly zero: those are not written


def main() -> None:
    import numpy as np
    import scipy.sparse
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    parser = argparse.ArgumentParser()
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    args = parser.parse_args()
    with (args.eval_dir / "davidson/davidson.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    matcher = matcher_for(())
    feature_rows, labels, ruled, gated, hate = [], [], [], [], []
    for row in rows:
        text = html.unescape(row["tweet"])
        if is_held_out(text):
            continue  # never trained or tuned on
        view = TextView(text)
        hits = matcher.find(view)
        findings = [f for f in screen(text) if f.kind not in MODEL_KINDS]
        feature_rows.append(dict.fromkeys(features(view, findings, hits), 1))
        labels.append(int(row["class"] in ("0", "1")))
        hate.append(row["class"] == "0")
        ruled.append(any(f.category in ABUSIVE and f.severity is not Severity.INFO for f in findings))
        gated.append(applies(findings, hits))
    vectoriser = DictVectorizer()
    matrix = scipy.sparse.csr_matrix(vectoriser.fit_transform(feature_rows))
    matrix.indices = matrix.indices.astype(np.int32)  # liblinear refuses 64-bit sparse indices
    matrix.indptr = matrix.indptr.astype(np.int32)
    y, by_rules, where, is_hate = np.array(labels), np.array(ruled), np.array(gated), np.array(hate)
    model = LogisticRegression(C=1.0, solver="liblinear", l1_ratio=1.0, max_iter=3000, random_state=0)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    scores = cross_val_predict(model, matrix, y, cv=folds, method="predict_proba")[:, 1]
    thresholds = [round(t, 2) for t in np.arange(0.30, 0.91, 0.05)]
    combined = {t: by_rules | (where & (scores >= t)) for t in thresholds}
    f1s = {t: round(float(f1_score(y, combined[t])), 4) for t in thresholds}
    threshold = min(thresholds, key=lambda t: (-f1s[t], t))
    model.fit(matrix, y)
    weights = dict(zip(vectoriser.get_feature_names_out(), model.coef_[0], strict=True))
    kept = {k: round(float(v), 4) for k, v in sorted(weights.items()) if abs(v) >= MIN_WEIGHT}
    cv = {
        "rules_f1": round(float(f1_score(y, by_rules)), 4),
        "rules_hate_recall": round(float(by_rules[is_hate].mean()), 4),
        "with_model_f1": f1s[threshold],
        "with_model_hate_recall": round(float(combined[threshold][is_hate].mean()), 4),
    }
    OUT.write_text(
        json.dumps(
            {
                "name": "offensive_model",
                "version": "2026.1",
                "why": "Logistic regression over words, word pairs and the rules' own findings, trained on the dev "
                "70% of Davidson et al. (2017) to judge whether a listed word the rules let through is used "
                "offensively (5.5, A.4.5).",
                "trained_on": f"davidson dev split: {len(labels)} tweets, {int(y.sum())} hate or offensive",
                "cross_validated": cv,
                "threshold": threshold,
                "bias": round(float(model.intercept_[0]), 4),
                "weights": kept,
            },
            indent=0,
            ensure_ascii=False,
        )
        + "\n"
    )
    print(f"threshold {threshold}; cross-validated on dev: {cv}; {len(kept)} of {len(weights)} weights; wrote {OUT}")


if __name__ == "__main__":
    main()
