"""A folded copy of a text, the same length as the original, so every span found in it is a span of the original.

Folding lower-cases, maps homoglyphs (Cyrillic, Greek, full-width, mathematical letters) and l33t digits to
ASCII letters one character for one character. Repeated letters, spaced-out letters and ``*`` masks are undone
when words are looked up (see ``wordlists.PhraseMatcher``), not by changing the text, so offsets never move.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Every digit folds to a letter (so "year 9" in a word list and in a text fold alike); 2, 6 and 9 are arbitrary.
_LEET = {"0": "o", "1": "i", "2": "z", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b", "9": "g",
         "@": "a", "$": "s"}  # fmt: skip
_HOMOGLYPHS = {
    # Cyrillic letters that look like Latin ones
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ԛ": "q",
    "ԝ": "w", "ɡ": "g", "ι": "i", "α": "a", "β": "b", "ε": "e", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "ѵ": "v", "ɑ": "a", "ß": "s",
}  # fmt: skip
_FOLD_RANGES = [(0x00C0, 0x0250), (0x0370, 0x0530), (0x1D00, 0x1DC0), (0x1E00, 0x1F00), (0x2100, 0x2150),
                (0x2460, 0x2500), (0xFF00, 0xFF5F), (0x1D400, 0x1D800), (0x1F130, 0x1F18A)]  # fmt: skip


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    for low, high in _FOLD_RANGES:
        for code in range(low, high):
            char = chr(code)
            base = unicodedata.normalize("NFKD", char)
            base = "".join(c for c in base if not unicodedata.combining(c)).lower()
            if len(base) == 1 and ("a" <= base <= "z" or base.isdigit()):
                table[code] = _LEET.get(base, base)
    for char, ascii_letter in _HOMOGLYPHS.items():
        table[ord(char)] = ascii_letter
        upper = char.upper()
        if len(upper) == 1 and ord(upper) not in table:
            table[ord(upper)] = ascii_letter
    for char, letter in _LEET.items():
        table[ord(char)] = letter
    return table


FOLD_TABLE = _build_fold_table()
# "!" and "|" stand for i/l only inside a word: "sh!t", "b|tch"; a trailing "!" is punctuation.
_INNER_SYMBOL = re.compile(r"(?<=[a-z])[!|](?=[a-z])")
_INNER_SYMBOL_MAP = {"!": "i", "|": "i"}
WORD = re.compile(r"[a-z]+")
_REPEAT = re.compile(r"([a-z])\1+")
_SPACED = re.compile(r"(?<![a-z])[a-z](?:[ .\-_,*'+~]{1,2}[a-z](?![a-z])){2,}")
_MASKED = re.compile(r"[a-z]*[a-z*]\*+[a-z*]*[a-z]|[a-z]\*+")


def fold(text: str) -> str:
    folded = text.translate(FOLD_TABLE)
    if len(folded) != len(text):  # defensive: the table maps one character to one character
        folded = "".join(FOLD_TABLE.get(ord(c), c) if len(FOLD_TABLE.get(ord(c), c)) == 1 else c for c in text)
    if "!" in folded or "|" in folded:
        folded = _INNER_SYMBOL.sub(lambda m: _INNER_SYMBOL_MAP[m.group()], folded)
    return folded


@lru_cache(maxsize=1 << 16)
def collapse(word: str) -> str:
    """Every run of one letter becomes one letter: "fuuuck" -> "fuck", "faggottt" -> "fagot"."""
    return _REPEAT.sub(r"\1", word)


class TextView:
    """The text, its folded copy and its words; the costlier views are computed only when a detector asks.

    (Plain lazy attributes rather than functools.cached_property, which takes a lock on every first access.)
    """

    __slots__ = ("_collapsed_words", "_masked", "_spaced", "_word_set", "_words", "folded", "plain_words", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = fold(text)
        self.plain_words: list[str] = WORD.findall(self.folded)
        self._words: list[tuple[str, int, int]] | None = None
        self._word_set: frozenset[str] | None = None
        self._collapsed_words: list[str] | None = None
        self._spaced: list[tuple[str, int, int]] | None = None
        self._masked: list[tuple[str, int, int]] | None = None

    @property
    def word_set(self) -> frozenset[str]:
        if self._word_set is None:
            self._word_set = frozenset(self.plain_words)
        return self._word_set

    @property
    def words(self) -> list[tuple[str, int, int]]:
        """(word, start, end) for every word of the folded text."""
        if self._words is None:
            # Between two words there are no letters, so each word is the first match after the one before.
            words, find, cursor = [], self.folded.find, 0
            for word in self.plain_words:
                start = find(word, cursor)
                cursor = start + len(word)
                words.append((word, start, cursor))
            self._words = words
        return self._words

    @property
    def collapsed_words(self) -> list[str]:
        """The words with repeated letters collapsed, one for one with ``words`` (collapsing keeps word edges)."""
        if self._collapsed_words is None:
            self._collapsed_words = list(map(collapse, self.plain_words))  # collapse is memoised: mostly a dict hit
        return self._collapsed_words

    @property
    def collapsed_word_set(self) -> frozenset[str]:
        return frozenset(self.collapsed_words)

    @property
    def spaced_runs(self) -> list[tuple[str, int, int]]:
        """Letters spelled out with gaps, joined: "f u c k" -> ("fuck", start, end)."""
        if self._spaced is None:
            self._spaced = []
            if sum(1 for w in self.plain_words if len(w) == 1) >= 3:
                self._spaced = [
                    ("".join(c for c in m.group() if "a" <= c <= "z"), m.start(), m.end())
                    for m in _SPACED.finditer(self.folded)
                ]
        return self._spaced

    @property
    def masked_words(self) -> list[tuple[str, int, int]]:
        if self._masked is None:
            self._masked = (
                [(m.group(), m.start(), m.end()) for m in _MASKED.finditer(self.folded)] if "*" in self.text else []
            )
        return self._masked
