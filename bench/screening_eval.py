"""Quality of the screening engine on labelled data, beside alt-profanity-check and better-profanity.

    .venv/bin/python bench/screening_eval.py [--eval-dir ../shared/eval] [--bp-sample 1500]

Every shared set is split by a hash of the text: 70% "dev" (looked at while building the word lists and rules)
and 30% "held-out" (never looked at; only its totals are printed). Figures for both are printed separately.
better-profanity takes ~6 ms per short text, so it runs on a fixed sample of each split (sizes printed).
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import html
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from custos.screening import (  # noqa: E402
    Author,
    Category,
    Roster,
    ScreeningContext,
    Severity,
    Venue,
    read_roster_csv,
    screen,
)

ABUSIVE = {Category.ABUSE, Category.HATE, Category.BULLYING}
SCHOOL_SET = REPO / "custos/screening/tests/data/school_eval.jsonl"
SCHOOL_ROSTER = REPO / "custos/screening/tests/data/school_eval_roster.csv"
csv.field_size_limit(1 << 30)


def is_held_out(text: str) -> bool:
    return int(hashlib.sha1(text.encode("utf-8", "replace"), usedforsecurity=False).hexdigest()[:8], 16) % 10 < 3


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, gold: bool, predicted: bool) -> None:
        if gold and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn


ROWS: list[tuple[str, ...]] = []


def report(dataset: str, category: str, split: str, system: str, scores: Scores) -> None:
    ROWS.append(
        (dataset, category, split, system, str(scores.n), str(scores.tp + scores.fn),
         f"{scores.precision:.3f}", f"{scores.recall:.3f}", f"{scores.f1:.3f}")
    )  # fmt: skip


def print_table() -> None:
    header = ("set", "category", "split", "system", "n", "positives", "P", "R", "F1")
    widths = [max(len(r[i]) for r in [header, *ROWS]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in ROWS:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


# ---- peers ----------------------------------------------------------------------------------------------


class Peers:
    def __init__(self, bp_sample: int) -> None:
        from better_profanity import profanity
        from profanity_check import predict

        profanity.load_censor_words()
        self._bp = profanity
        self._predict = predict
        self.bp_sample = bp_sample

    def profanity_check(self, texts: Sequence[str]) -> list[bool]:
        return [bool(v) for v in self._predict(list(texts))]

    def better_profanity(self, texts: Sequence[str]) -> list[bool]:
        return [self._bp.contains_profanity(t) for t in texts]


def sample_indices(n: int, k: int, seed: str) -> list[int]:
    indices = list(range(n))
    random.Random(seed).shuffle(indices)
    return sorted(indices[:k])


def compare(
    dataset: str,
    category: str,
    texts: list[str],
    gold: list[bool],
    engine: Callable[[str], bool],
    peers: Peers | None,
    bp_cap: int | None = None,
) -> None:
    for split in ("dev", "held-out"):
        idx = [i for i, t in enumerate(texts) if is_held_out(t) == (split == "held-out")]
        if not idx:
            continue
        scores = Scores()
        predictions = {}
        for i in idx:
            predictions[i] = engine(texts[i])
            scores.add(gold[i], predictions[i])
        report(dataset, category, split, "custos", scores)
        if peers is None:
            continue
        pc = Scores()
        for i, predicted in zip(idx, peers.profanity_check([texts[i] for i in idx]), strict=True):
            pc.add(gold[i], predicted)
        report(dataset, category, split, "alt-profanity-check", pc)
        k = min(len(idx), bp_cap if bp_cap is not None else peers.bp_sample)
        chosen = [idx[j] for j in sample_indices(len(idx), k, f"{dataset}{split}")]
        bp, ours = Scores(), Scores()
        for i, predicted in zip(chosen, peers.better_profanity([texts[i] for i in chosen]), strict=True):
            bp.add(gold[i], predicted)
            ours.add(gold[i], predictions[i])
        if k < len(idx):
            report(dataset, category, f"{split} (bp sample)", "custos", ours)
        report(dataset, category, f"{split} (bp sample)" if k < len(idx) else split, "better-profanity", bp)


def flags(categories: set[Category], *, kinds: set[str] | None = None, context: ScreeningContext | None = None):
    ctx = context or ScreeningContext()

    def predicate(text: str) -> bool:
        return any(
            f.category in categories and f.severity is not Severity.INFO and (kinds is None or f.kind in kinds)
            for f in screen(text, ctx)
        )

    return predicate


# ---- data sets ----------------------------------------------------------------------------------------------


def davidson(eval_dir: Path, peers: Peers | None) -> None:
    with (eval_dir / "davidson/davidson.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    texts = [html.unescape(r["tweet"]) for r in rows]
    classes = [r["class"] for r in rows]
    compare("davidson", "hate+offensive", texts, [c in ("0", "1") for c in classes], flags(ABUSIVE), peers)
    # Hate recall counts a hate tweet as caught if the engine flags it at all (any abuse/hate/bullying finding).
    hate_idx = [i for i, c in enumerate(classes) if c == "0"]
    for split in ("dev", "held-out"):
        idx = [i for i in hate_idx if is_held_out(texts[i]) == (split == "held-out")]
        caught = Scores()
        as_hate = Scores()
        for i in idx:
            findings = screen(texts[i])
            caught.add(True, any(f.category in ABUSIVE and f.severity is not Severity.INFO for f in findings))
        report("davidson", "hate (recall: flagged at all)", split, "custos", caught)
        if peers:
            pc = Scores()
            for predicted in peers.profanity_check([texts[i] for i in idx]):
                pc.add(True, predicted)
            report("davidson", "hate (recall: flagged at all)", split, "alt-profanity-check", pc)
        all_idx = [i for i, t in enumerate(texts) if is_held_out(t) == (split == "held-out")]
        for i in all_idx:
            as_hate.add(classes[i] == "0", any(f.category is Category.HATE for f in screen(texts[i])))
        report("davidson", "hate (as hate category)", split, "custos", as_hate)
    compare("davidson", "offensive only (class 1)", texts, [c == "1" for c in classes], flags(ABUSIVE), None)


def formspring(eval_dir: Path, peers: Peers | None) -> None:
    with (eval_dir / "formspring/formspring.tsv").open(newline="", encoding="utf-8", errors="replace") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"))
    texts = [html.unescape(r["post"].replace("<br>", "\n")) for r in rows]
    gold = [sum(r[k] == "Yes" for k in ("ans1", "ans2", "ans3")) >= 2 for r in rows]
    compare("formspring", "bullying", texts, gold, flags({Category.BULLYING}), peers)
    compare("formspring", "bullying (any abuse/hate/bullying finding)", texts, gold, flags(ABUSIVE), None)


PRESIDIO_KINDS = {"PHONE_NUMBER": "phone", "EMAIL_ADDRESS": "email", "STREET_ADDRESS": "address"}


def span_scores(records: list[tuple[str, list[tuple[str, int, int]]]], kinds: Sequence[str], dataset: str) -> None:
    """Span-level: a found span is right if it overlaps a gold span of the same kind; a gold span is found if
    any found span of its kind overlaps it."""
    for split in ("dev", "held-out"):
        for kind in kinds:
            scores = Scores()
            for text, gold_spans in records:
                if is_held_out(text) != (split == "held-out"):
                    continue
                gold = [(s, e) for k, s, e in gold_spans if k == kind]
                found = [(f.start, f.end) for f in screen(text) if f.kind == kind]
                for s, e in found:
                    if any(s < ge and gs < e for gs, ge in gold):
                        scores.tp += 1
                    else:
                        scores.fp += 1
                scores.fn += sum(1 for gs, ge in gold if not any(s < ge and gs < e for s, e in found))
            report(dataset, kind, split, "custos", scores)


def presidio(eval_dir: Path) -> None:
    data = json.loads((eval_dir / "presidio_synth/presidio_synth.json").read_text())
    records = [
        (r["full_text"], [(PRESIDIO_KINDS[s["entity_type"]], s["start_position"], s["end_position"])
                          for s in r["spans"] if s["entity_type"] in PRESIDIO_KINDS])
        for r in data
    ]  # fmt: skip
    span_scores(records, ["phone", "email", "address"], "presidio_synth (US-flavoured)")


UK_TEMPLATES = [
    "text me on {phone} after school",
    "my mum's number is {phone} if the bus is late",
    "email me at {email} for the notes",
    "we live at {street}, {city} {postcode}",
    "I'm at {postcode} now, come round",
    "my address is {street} {postcode}",
    "ring {phone} or email {email}",
    "Post it to {street}, {city}, {postcode}. Thanks!",
    "{name} said to call {phone}",
    "contact {email} or {phone}",
]
UK_NEGATIVES = [
    "I'm {n2} in the house team and we came {ordinal}",
    "We won {n1}-{n1} against Year {year}",
    "Page {n3} of the textbook, questions {n1} to {n2}",
    "Room B{n2} on the {ordinal} floor",
    "The trip is on {day}/{month}/2025 and costs £{n2}.50",
    "My score was {n3} out of {n4}",
    "Year {year} assembly at {n1}:{n2}",
    "The answer is {n3}.{n4}",
    "Bus {n2} leaves at {n1}.{n2}",
    "Kick-off at {n1}pm, we're in Year {year}",
]


def uk_synthetic(seed: int = 2025, n: int = 600) -> list[tuple[str, list[tuple[str, int, int]]]]:
    """Faker en_GB contact details in school-style sentences, plus sentences full of numbers that are not
    personal information. Deterministic; spans are exact."""
    from faker import Faker

    fake = Faker("en_GB")
    Faker.seed(seed)
    rng = random.Random(seed)
    records = []
    for i in range(n):
        if i % 3 == 2:
            template = rng.choice(UK_NEGATIVES)
            text = template.format(
                n1=rng.randint(1, 12), n2=rng.randint(1, 99), n3=rng.randint(100, 999), n4=rng.randint(100, 999),
                year=rng.randint(7, 13), ordinal=rng.choice(["1st", "2nd", "3rd", "4th"]),
                day=rng.randint(1, 28), month=rng.randint(1, 12),
            )  # fmt: skip
            records.append((text, []))
            continue
        values = {
            "phone": fake.phone_number(),
            "email": fake.email(),
            "postcode": fake.postcode(),
            "street": fake.street_address().replace("\n", ", "),
            "city": fake.city(),
            "name": fake.first_name(),
        }
        template = rng.choice(UK_TEMPLATES)
        text, spans, position = "", [], 0
        for literal, field, _, _ in __import__("string").Formatter().parse(template):
            text += literal
            if field:
                start = len(text)
                text += values[field]
                kind = {"street": "address"}.get(field, field)
                if kind in ("phone", "email", "postcode", "address"):
                    spans.append((kind, start, len(text)))
        del position
        records.append((text, spans))
    return records


def self_harm(eval_dir: Path, peers: Peers | None) -> None:
    with (eval_dir / "cssrs_reddit/reddit500.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    texts = []
    for r in rows:
        try:
            posts = ast.literal_eval(r["Post"])
            texts.append("\n".join(posts) if isinstance(posts, list) else str(posts))
        except (ValueError, SyntaxError):
            texts.append(r["Post"])
    gold = [r["Label"] in ("Ideation", "Behavior", "Attempt") for r in rows]
    compare("cssrs_reddit", "self-harm (at risk)", texts, gold, flags({Category.SAFEGUARDING}, kinds={"self_harm"}),
            peers, bp_cap=8)  # fmt: skip


def grooming(eval_dir: Path, peers: Peers | None) -> None:
    with (eval_dir / "pan12/pan12_val.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    texts = [r["segment"] for r in rows]
    gold = [r["label"] == "1" for r in rows]
    predicate = flags({Category.SAFEGUARDING}, kinds={"grooming", "sexual_content_minors"})
    compare("pan12", "grooming", texts, gold, predicate, peers, bp_cap=100)


def school_set(peers: Peers | None) -> None:
    roster = Roster(read_roster_csv(SCHOOL_ROSTER))
    records = [json.loads(line) for line in SCHOOL_SET.read_text().splitlines() if line.strip()]
    categories = sorted({c for r in records for c in r["labels"]} | {"abuse", "hate"})
    per_category = {c: Scores() for c in categories}
    any_flag = Scores()
    peer_any = Scores()
    peer_flags = peers.profanity_check([r["text"] for r in records]) if peers else [False] * len(records)
    for record, peer_flag in zip(records, peer_flags, strict=True):
        context = ScreeningContext(
            author=Author(record["author"]),
            venue=Venue(record["venue"]),
            roster=roster,
            organisation_names=("Oakfield Academy", "Oakfield", "Education Partnership Trust"),
            school_email_domains=("oakfield.org.uk",),
        )
        found = {f.category.value for f in screen(record["text"], context) if f.severity is not Severity.INFO}
        for category in categories:
            per_category[category].add(category in record["labels"], category in found)
        any_flag.add(bool(record["labels"]), bool(found))
        peer_any.add(bool(record["labels"]), peer_flag)
    for category, scores in per_category.items():
        report("school (own, 100 msgs)", category, "all", "custos", scores)
    report("school (own, 100 msgs)", "any finding", "all", "custos", any_flag)
    if peers:
        report("school (own, 100 msgs)", "any finding", "all", "alt-profanity-check", peer_any)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--bp-sample", type=int, default=1000, help="texts per split for better-profanity")
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    peers = None if args.no_peers else Peers(args.bp_sample)
    davidson(args.eval_dir, peers)
    formspring(args.eval_dir, peers)
    presidio(args.eval_dir)
    span_scores(uk_synthetic(), ["phone", "email", "postcode", "address"], "uk_synthetic (Faker en_GB)")
    self_harm(args.eval_dir, peers)
    grooming(args.eval_dir, peers)
    school_set(peers)
    print_table()
    print(f"\n{time.perf_counter() - started:.0f} s. Split: sha1(text) % 10 < 3 is held-out.")


if __name__ == "__main__":
    main()
