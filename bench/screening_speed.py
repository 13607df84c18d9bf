"""Speed of the screening engine: texts per second per core, latency, peak memory, and the peers' speed.

    .venv/bin/python bench/screening_speed.py [--eval-dir ../shared/eval]

Throughput is CPU time of this process (time.process_time), so it is per core even on a busy machine; wall
time is printed too. The engine runs first, and its peak memory (ru_maxrss) is read before the peers load.
"""

from __future__ import annotations

import argparse
import csv
import html
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from custos.screening import Author, Roster, RosterPupil, ScreeningContext, screen  # noqa: E402


def short_texts(eval_dir: Path) -> list[str]:
    with (eval_dir / "davidson/davidson.csv").open(newline="", encoding="utf-8") as handle:
        davidson = [html.unescape(r["tweet"]) for r in csv.DictReader(handle)]
    with (eval_dir / "formspring/formspring.tsv").open(newline="", encoding="utf-8", errors="replace") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
        formspring = [html.unescape(r["post"].replace("<br>", "\n")) for r in rows]
    return davidson + formspring


def document(texts: Sequence[str], words: int = 2000) -> str:
    rng = random.Random(7)
    parts: list[str] = []
    count = 0
    while count < words:
        text = rng.choice(texts)
        parts.append(text)
        count += len(text.split())
    return " ".join(" ".join(parts).split()[:words])


def fake_roster(size: int = 1000) -> Roster:
    from faker import Faker

    fake = Faker("en_GB")
    Faker.seed(11)
    return Roster(
        RosterPupil(fake.first_name(), fake.last_name(), pupil_id=f"P{i:04}") for i in range(size)
    )  # fmt: skip


def throughput(run: Callable[[str], object], texts: Sequence[str], repeats: int = 3) -> tuple[float, float]:
    """(texts per CPU-second, texts per wall-second), best of ``repeats``."""
    best_cpu, best_wall = float("inf"), float("inf")
    for _ in range(repeats):
        cpu, wall = time.process_time(), time.perf_counter()
        for text in texts:
            run(text)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return len(texts) / best_cpu, len(texts) / best_wall


def latencies(run: Callable[[str], object], texts: Sequence[str]) -> tuple[float, float, float]:
    timings = []
    clock = time.perf_counter_ns
    for text in texts:
        started = clock()
        run(text)
        timings.append(clock() - started)
    timings.sort()
    p50 = timings[len(timings) // 2] / 1e6
    p99 = timings[int(len(timings) * 0.99)] / 1e6
    return p50, p99, timings[-1] / 1e6


def _figures(cpu: float, wall: float, p50: float, p99: float, worst: float) -> list[str]:
    return [f"{cpu:,.0f}", f"{wall:,.0f}", f"{p50:.3f}", f"{p99:.3f}", f"{worst:.2f}"]


def row(name: str, values: Sequence[str]) -> None:
    print(f"| {name:<58} | " + " | ".join(f"{v:>12}" for v in values) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--bp-sample", type=int, default=500)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})  # one core
    texts = short_texts(args.eval_dir)
    doc = document(texts)
    roster = fake_roster()
    plain = ScreeningContext()
    with_roster = ScreeningContext(author=Author.PUPIL, roster=roster)

    def engine(text: str) -> object:
        return screen(text, plain)

    def engine_with_roster(text: str) -> object:
        return screen(text, with_roster)

    for text in texts[:500]:  # warm up caches
        engine_with_roster(text)

    mean = statistics.mean(map(len, texts))
    print(f"{len(texts):,} short texts (Davidson tweets + Formspring posts, mean {mean:.0f} chars); one "
          f"{len(doc.split()):,}-word document ({len(doc):,} chars); roster of {len(roster):,} pupils.\n")  # fmt: skip
    header = ["texts/s (CPU)", "texts/s wall", "p50 ms", "p99 ms", "max ms"]
    print(f"| {'system / input':<58} | " + " | ".join(f"{h:>12}" for h in header) + " |")
    print("|" + "-" * 60 + "|" + "|".join("-" * 14 for _ in header) + "|")
    results: dict[str, float] = {}
    for name, run in (("custos: short texts", engine), ("custos: short texts, 1,000-pupil roster", engine_with_roster)):
        cpu, wall = throughput(run, texts)
        p50, p99, worst = latencies(run, texts)
        results[name] = cpu
        row(name, _figures(cpu, wall, p50, p99, worst))
    cpu, wall = throughput(engine_with_roster, [doc] * 20, repeats=2)
    results["custos: document"] = cpu
    row("custos: 2,000-word document, roster", [f"{cpu:,.1f}", f"{wall:,.1f}", f"{1000 / cpu:.2f}", "", ""])
    engine_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    from better_profanity import profanity
    from profanity_check import predict

    profanity.load_censor_words()

    def alt_single(text: str) -> object:
        return predict([text])

    cpu, wall = throughput(alt_single, texts[:3000], repeats=1)
    p50, p99, worst = latencies(alt_single, texts[:3000])
    results["alt single"] = cpu
    row("alt-profanity-check: one text per call (3,000 texts)", _figures(cpu, wall, p50, p99, worst))
    cpu_start = time.process_time()
    predict(texts)
    batch = len(texts) / (time.process_time() - cpu_start)
    results["alt batch"] = batch
    row("alt-profanity-check: all texts in one batch call", [f"{batch:,.0f}", "", "", "", ""])
    sample = random.Random(3).sample(texts, args.bp_sample)
    cpu, wall = throughput(profanity.contains_profanity, sample, repeats=1)
    p50, p99, worst = latencies(profanity.contains_profanity, sample)
    results["bp"] = cpu
    row(f"better-profanity: contains_profanity ({len(sample)} texts)", _figures(cpu, wall, p50, p99, worst))
    cpu_start = time.process_time()
    profanity.contains_profanity(doc)
    bp_doc = 1 / (time.process_time() - cpu_start)
    row("better-profanity: 2,000-word document", [f"{bp_doc:,.2f}", "", f"{1000 / bp_doc:.0f}", "", ""])
    alt_doc_start = time.process_time()
    for _ in range(20):
        predict([doc])
    alt_doc = 20 / (time.process_time() - alt_doc_start)
    row("alt-profanity-check: 2,000-word document", [f"{alt_doc:,.1f}", "", f"{1000 / alt_doc:.2f}", "", ""])
    total_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ours = results["custos: short texts, 1,000-pupil roster"]
    print(f"\nPeak memory (ru_maxrss): engine alone {engine_peak_mb:.0f} MB; with both peers {total_peak_mb:.0f} MB.")
    print("Ratio, custos (with roster) to peer, short texts per CPU-second:")
    print(f"  alt-profanity-check one text per call: {ours / results['alt single']:.1f}x;"
          f" alt-profanity-check batched: {ours / results['alt batch']:.2f}x;"
          f" better-profanity: {ours / results['bp']:.0f}x")  # fmt: skip
    print(f"  2,000-word document: {results['custos: document'] / bp_doc:.0f}x better-profanity, "
          f"{results['custos: document'] / alt_doc:.2f}x alt-profanity-check")  # fmt: skip


if __name__ == "__main__":
    main()
