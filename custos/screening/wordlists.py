"""Word lists: versioned data files in which every entry says why it is there, merged into one fast matcher.

A list is a TOML file (see ``data/*.toml`` and docs/screening.md). A trust extends or trims the built-in lists
by passing its own ``WordList`` (same format) through ``ScreeningContext.word_lists``; no code changes.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from custos.screening.findings import Category, Severity
from custos.screening.normalise import WORD, TextView, collapse, fold

GAP = "..."  # in a term: up to MAX_GAP words of anything
MAX_GAP = 3
_INFLECTIONS = ("s", "es", "ed", "er", "ers", "ing", "in", "y", "z", "ish")
_TERM_TOKEN = re.compile(r"\([^()]*\)\??|\.\.\.|\S+")
BUILT_IN_LISTS = ("abuse", "hate", "bullying", "safeguarding", "staff")


class WordListError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Entry:
    term: str
    category: Category
    kind: str
    severity: Severity
    clauses: tuple[str, ...]
    why: str
    weight: float = 1.0
    # Ambiguous words ("gay", "queer") are only hate when aimed at someone.
    needs_target: bool = False
    # Words some communities reclaim; first-person use ("I'm queer") is not hate.
    reclaimable: bool = False
    list_name: str = ""
    # Also match the usual endings of the last word: "fuck" -> "fucking", "fucked", "fucker", ...
    inflect: bool = False


@dataclass(frozen=True, eq=False)
class WordList:
    name: str
    version: str
    entries: tuple[Entry, ...]
    description: str = ""
    # Terms (as written in another list) this list withdraws, e.g. a trust un-listing a local place name.
    removes: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, name: str = "") -> WordList:
        name = str(data.get("name") or name)
        version = data.get("version")
        if not name or not version:
            raise WordListError(f"word list {name or '?'}: needs a name and a version")
        defaults = dict(data.get("defaults", {}))
        entries: list[Entry] = []
        for number, raw in enumerate(data.get("entry", []), start=1):
            merged = {**defaults, **raw}
            terms = merged.get("terms") or ([merged["term"]] if "term" in merged else [])
            if not terms:
                raise WordListError(f"word list {name}: entry {number} has no term")
            try:
                category = Category(merged["category"])
                severity = Severity(merged["severity"])
            except (KeyError, ValueError) as error:
                raise WordListError(f"word list {name}: entry {number} ({terms[0]!r}): {error}") from error
            clauses = tuple(str(c) for c in merged.get("clauses", ()))
            if not clauses:
                raise WordListError(f"word list {name}: entry {number} ({terms[0]!r}) cites no clause")
            for term in terms:
                entries.append(
                    Entry(
                        term=str(term),
                        category=category,
                        kind=str(merged.get("kind", category.value)),
                        severity=severity,
                        clauses=clauses,
                        why=str(merged.get("why", "")),
                        weight=float(merged.get("weight", 1.0)),
                        needs_target=bool(merged.get("needs_target", False)),
                        reclaimable=bool(merged.get("reclaimable", False)),
                        list_name=name,
                        inflect=bool(merged.get("inflect", False)),
                    )
                )
        return cls(
            name=name,
            version=str(version),
            entries=tuple(entries),
            description=str(data.get("description", "")),
            removes=frozenset(str(t) for t in data.get("remove", ())),
        )

    @classmethod
    def from_toml(cls, source: str | Path) -> WordList:
        path = Path(source)
        with path.open("rb") as handle:
            return cls.from_dict(tomllib.load(handle), name=path.stem)


@lru_cache(maxsize=1)
def built_in_word_lists() -> tuple[WordList, ...]:
    data = resources.files("custos.screening") / "data"
    lists = []
    for name in BUILT_IN_LISTS:
        with (data / f"{name}.toml").open("rb") as handle:
            lists.append(WordList.from_dict(tomllib.load(handle), name=name))
    return tuple(lists)


class Hit(NamedTuple):
    entry: Entry
    start: int
    end: int
    first_word: int  # index into TextView.words; -1 for spaced-out or masked words
    last_word: int


def _alternatives(token: str) -> list[list[str]]:
    """One term token -> its alternatives, each a list of folded words ([] for an optional token)."""
    if token == GAP:
        return [[GAP]]
    optional = token.endswith(")?")
    body = token[1:-2] if optional else token[1:-1] if token.startswith("(") else token
    out: list[list[str]] = [[]] if optional else []
    for alternative in body.split("|"):
        words = WORD.findall(fold(alternative))
        out.append(words)
        if "'" in alternative or "’" in alternative:
            joined = WORD.findall(fold(alternative.replace("'", "").replace("’", "")))
            if joined != words:
                out.append(joined)
    return out


def expand_term(term: str, *, inflect: bool = False) -> list[tuple[str, ...]]:
    """``"(don't|do not) tell (anyone|your mum)"`` -> every word sequence it stands for."""
    if term.count("(") != term.count(")") or re.search(r"\([^)]*\(", term):
        raise WordListError(f"term {term!r}: brackets must be balanced and not nested")
    choices = [_alternatives(token) for token in _TERM_TOKEN.findall(term)]
    sequences: list[tuple[str, ...]] = []
    for combination in itertools.islice(itertools.product(*choices), 5000):
        words = tuple(word for part in combination for word in part)
        while words and words[-1] == GAP:
            words = words[:-1]
        while words and words[0] == GAP:
            words = words[1:]
        if not words:
            continue
        sequences.append(words)
        if inflect:
            stem = words[-1]
            forms = {stem + suffix for suffix in _INFLECTIONS}
            if stem.endswith("e"):
                forms |= {stem[:-1] + "ing", stem + "d", stem + "r", stem + "rs"}
            if len(stem) <= 4 and stem[-1] not in "aeiouy":
                forms |= {stem + stem[-1] + suffix for suffix in ("ed", "er", "ers", "ing", "in", "y")}
            sequences.extend((*words[:-1], form) for form in sorted(forms))
    return sequences


class _Node:
    """One word of a term in the trie: the words that may follow, and the entries that end here."""

    __slots__ = ("children", "entries", "gap", "loose")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.loose: dict[str, _Node] = {}  # the same children, keyed by their repeated-letter-collapsed form
        self.entries: list[Entry] = []
        self.gap: _Node | None = None

    def add(self, word: str) -> _Node:
        if word == GAP:
            if self.gap is None:
                self.gap = _Node()
            return self.gap
        child = self.children.get(word)
        if child is None:
            child = self.children[word] = _Node()
            collapsed = collapse(word)
            if len(collapsed) >= 3:
                self.loose.setdefault(collapsed, child)
        return child

    def step(self, word: str, collapsed: str) -> _Node | None:
        child = self.children.get(word)
        if child is None and collapsed != word:
            child = self.loose.get(collapsed)
        return child


class PhraseMatcher:
    """Every entry of every list in one word trie, walked over the folded text once.

    Looking a word up also tries it with repeated letters collapsed ("fuuuck", "yuuu"); a text none of whose
    words (plain or collapsed) starts an entry, and with no spaced-out or masked word, is skipped at once.
    """

    def __init__(self, word_lists: Iterable[WordList]) -> None:
        lists = list(word_lists)
        removed = frozenset().union(*(wl.removes for wl in lists)) if lists else frozenset()
        self.versions = {wl.name: wl.version for wl in lists}
        self._root = _Node()
        self._singles: dict[str, list[Entry]] = {}
        for word_list in lists:
            for entry in word_list.entries:
                if entry.term in removed:
                    continue
                for sequence in expand_term(entry.term, inflect=entry.inflect):
                    node = self._root
                    for word in sequence:
                        node = node.add(word)
                    if entry not in node.entries:
                        node.entries.append(entry)
                    if len(sequence) == 1 and len(sequence[0]) >= 3:
                        self._singles.setdefault(sequence[0], []).append(entry)
        self.first_words = frozenset(self._root.children) | frozenset(self._root.loose)
        self._long_singles = sorted((w for w in self._singles if len(w) >= 4), key=len, reverse=True)

    def could_match(self, view: TextView) -> bool:
        first_words = self.first_words
        return not (
            first_words.isdisjoint(view.plain_words)
            and first_words.isdisjoint(view.collapsed_words)
            and not view.spaced_runs
            and not view.masked_words
        )

    def find(self, view: TextView) -> list[Hit]:
        if not self.could_match(view):
            return []
        hits: list[Hit] = []
        plain = view.plain_words
        collapsed = view.collapsed_words
        root = self._root
        text = view.text
        words: list[tuple[str, int, int]] = []
        children, loose = root.children, root.loose
        count = len(plain)
        walk = self._walk
        for position, word in enumerate(plain):
            node = children.get(word)
            if node is None:
                other = collapsed[position]
                if other == word:
                    continue
                node = loose.get(other)
                if node is None:
                    continue
            ends: list[tuple[Entry, int]] = []
            walk(node, position + 1, position, plain, collapsed, count, ends)
            if not ends:
                continue
            words = words or view.words
            start = words[position][1]
            for entry, last in ends:
                end = words[last][2]
                if last == position and not _has_letter(text, start, end) and not _has_digit(entry.term):
                    continue  # "455" is a number, not a word
                hits.append(Hit(entry, start, end, position, last))
        for joined, start, end in view.spaced_runs:
            for entry in self._lookup_fragment(joined):
                hits.append(Hit(entry, start, end, -1, -1))
        for masked, start, end in view.masked_words:
            pattern = re.compile(re.escape(masked).replace(r"\*", "[a-z]"))
            for word in self._long_singles + [w for w in self._singles if len(w) == 3]:
                if len(word) == len(masked) and pattern.fullmatch(word):
                    hits.extend(Hit(entry, start, end, -1, -1) for entry in self._singles[word])
                    break
        return hits

    def _walk(
        self,
        node: _Node,
        position: int,
        last: int,
        plain: list[str],
        collapsed: list[str],
        count: int,
        out: list[tuple[Entry, int]],
    ) -> None:
        if node.entries:
            out.extend((entry, last) for entry in node.entries)
        if position < count and node.children:
            child = node.step(plain[position], collapsed[position])
            if child is not None:
                self._walk(child, position + 1, position, plain, collapsed, count, out)
        gap = node.gap
        if gap is not None:
            for at in range(position, min(position + MAX_GAP + 1, count)):
                child = gap.step(plain[at], collapsed[at])
                if child is not None:
                    self._walk(child, at + 1, at, plain, collapsed, count, out)

    def _lookup_fragment(self, joined: str) -> list[Entry]:
        if joined in self._singles:
            return self._singles[joined]
        for word in self._long_singles:
            if word in joined:
                return self._singles[word]
        return []


def _has_letter(text: str, start: int, end: int) -> bool:
    return any(c.isalpha() for c in text[start:end])


def _has_digit(term: str) -> bool:
    return any(c.isdigit() for c in term)


@lru_cache(maxsize=64)
def matcher_for(extra_lists: tuple[WordList, ...]) -> PhraseMatcher:
    """The built-in lists plus a trust's, compiled once and reused (word lists hash by identity)."""
    return PhraseMatcher(built_in_word_lists() + extra_lists)
