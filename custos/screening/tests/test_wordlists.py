import textwrap

import pytest

from custos.screening import Category, ScreeningContext, Severity, WordList, built_in_word_lists, screen
from custos.screening.wordlists import WordListError, expand_term


def test_55_every_built_in_entry_has_a_version_a_reason_and_a_clause():
    lists = built_in_word_lists()
    assert {wl.name for wl in lists} == {"abuse", "hate", "bullying", "safeguarding", "staff"}
    for word_list in lists:
        assert word_list.version
        for entry in word_list.entries:
            assert entry.why, entry.term
            assert entry.clauses, entry.term


def test_55_term_patterns_expand_alternatives_optionals_and_apostrophes():
    assert set(expand_term("(don't|never) tell (your)? mum")) == {
        ("don", "t", "tell", "your", "mum"), ("dont", "tell", "your", "mum"), ("never", "tell", "your", "mum"),
        ("don", "t", "tell", "mum"), ("dont", "tell", "mum"), ("never", "tell", "mum"),
    }  # fmt: skip


def test_55_nested_brackets_are_refused():
    with pytest.raises(WordListError):
        expand_term("(a|(b|c))")


def test_55_trust_word_list_extends_engine_without_code_changes(tmp_path):
    path = tmp_path / "oakfield.toml"
    path.write_text(
        textwrap.dedent(
            """
            name = "oakfield"
            version = "2025-03-01"
            remove = ["muppet"]

            [[entry]]
            term = "(gronk|gronks)"
            category = "abuse"
            kind = "insult"
            severity = "block"
            clauses = ["5.5"]
            why = "Local insult reported by Oakfield pupils, Feb 2025."
            """
        )
    )
    trust_list = WordList.from_toml(path)
    context = ScreeningContext(word_lists=(trust_list,))
    (finding,) = screen("what a gronk", context)
    assert (finding.category, finding.severity, finding.clauses) == (Category.ABUSE, Severity.BLOCK, ("5.5",))
    assert "Oakfield" in finding.reason
    assert screen("what a gronk") == []
    assert screen("you muppet", context) == []
    assert screen("you muppet")


def test_55_word_list_without_clause_is_refused():
    with pytest.raises(WordListError, match="cites no clause"):
        WordList.from_dict(
            {"name": "x", "version": "1", "entry": [{"term": "a", "category": "abuse", "severity": "warn"}]}
        )
