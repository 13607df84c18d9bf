"""The offensive-language model: a second opinion on listed words the rules let through (5.5, A.4.5, A.5.6)."""

import pytest

from custos.screening import Category, Severity, screen
from custos.screening.detectors.offensive_model import offensive_model
from custos.screening.tests.helpers import PUPIL, found, matched


def test_55_listed_word_used_offensively_but_not_aimed_gets_a_warning_on_the_word():
    text = "happy birthday queer"
    (finding,) = screen(text, PUPIL)
    assert (finding.category, finding.kind, finding.severity) == (Category.ABUSE, "offensive_model", Severity.WARN)
    assert finding.clauses == ("5.5", "A.4.5")
    assert matched(text, finding) == "queer"
    assert "“queer” may be used offensively here" in finding.reason


def test_a56_group_put_down_the_rules_did_not_foresee_is_caught():
    text = "all the crackers in this town are trash"
    assert [(f.kind, matched(text, f)) for f in screen(text, PUPIL)] == [("offensive_model", "crackers")]


@pytest.mark.parametrize(
    "text",
    [
        "We pulled Christmas crackers at the party",
        "Please put the trash out after lunch",
        "the gay pride parade was fun",
        "Our class learned about the ghetto in Warsaw",
        "we saw monkeys at the zoo",
    ],
)
def test_55_neutral_uses_of_listed_words_stay_quiet(text):
    assert screen(text, PUPIL) == []


def test_a56_counter_speech_stays_a_mention_not_a_warning():
    findings = found("Miss said don't call people retards", PUPIL, Category.ABUSE)
    assert [(f.kind, f.severity) for f in findings] == [("mentioned_slur", Severity.INFO)]


def test_55_text_without_a_listed_word_is_never_scored_so_slang_and_dialect_are_not_judged():
    model = offensive_model()
    assert model is not None
    words = ["yo", "da", "music", "right", "every", "white"]
    assert model.probability(words, []) > model.threshold  # the model alone would warn...
    assert screen(" ".join(words), PUPIL) == []  # ...but no listed word, so it never runs


def test_55_an_aimed_insult_is_left_to_the_rules_not_doubled_by_the_model():
    assert "offensive_model" not in {f.kind for f in screen("you are such a monkey haha", PUPIL)}
