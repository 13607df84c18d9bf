import pytest

from custos.screening import Category, Severity
from custos.screening.tests.helpers import EXTERNAL, PUPIL, found, matched

HATE, ABUSE = Category.HATE, Category.ABUSE


@pytest.mark.parametrize("text", ["you are a nigger", "go home you paki", "dirty wog", "n1gg3r"])
def test_a56_racist_slur_escalates(text):
    (finding,) = found(text, PUPIL, HATE)
    assert finding.severity is Severity.ESCALATE
    assert finding.clauses[0] == "A.5.6"
    assert finding.kind == "racist"


@pytest.mark.parametrize("text", ["shut up you faggot", "what a f4gg0t", "faggottt", "f a g g o t"])
def test_a56_homophobic_slur_escalates_even_disguised(text):
    (finding,) = found(text, PUPIL, HATE)
    assert finding.severity is Severity.ESCALATE


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("he's a tranny", "transphobic"),
        ("you retard", "disablist"),
        ("stupid kike", "religious"),
        ("ur so gay", "homophobic"),
    ],
)
def test_a56_transphobic_disablist_religious_and_gay_as_insult_escalate(text, kind):
    assert [f.kind for f in found(text, PUPIL, HATE)] == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "Don't call people faggots, it is a slur.",
        'He called me a "paki" and I reported it to Miss.',
        "The word retard is offensive and we don't use it here.",
        "Saying tranny is transphobic.",
        "Stop calling him a spastic!",
    ],
)
def test_a56_counter_speech_and_quotation_are_not_hate(text):
    assert found(text, PUPIL, HATE) == []
    assert all(f.severity is Severity.INFO for f in found(text, PUPIL, ABUSE))


@pytest.mark.parametrize(
    "text",
    [
        "I'm gay and proud",
        "We're starting an LGBT+ and queer club",
        "Our gay history month display",
        "as a queer person",
    ],
)
def test_a56_reclaimed_and_neutral_uses_are_not_hate(text):
    assert found(text, PUPIL, HATE) == []


def test_a56_pupil_quoting_a_house_rule_is_not_flagged():
    text = "Rule 3 says no swearing and no racist or homophobic insults."
    assert [f for f in found(text) if f.severity is not Severity.INFO] == []


EVASIONS = [("this is shit", "shit"), ("FUUUCK", "FUUUCK"), ("sh!t", "sh!t"), ("f*ck off", "f*ck"),
            ("ｆｕｃｋ", "ｆｕｃｋ"), ("b1tch", "b1tch")]  # fmt: skip


@pytest.mark.parametrize(("text", "word"), EVASIONS)
def test_55_strong_profanity_blocked_with_evasions_undone(text, word):
    (finding,) = found(text, EXTERNAL, ABUSE)
    assert matched(text, finding) == word
    assert finding.severity is Severity.BLOCK
    assert finding.clauses == ("5.5", "A.4.5")


def test_a45_mild_profanity_only_warns():
    (finding,) = found("oh damn, I forgot my PE kit", PUPIL, ABUSE)
    assert finding.severity is Severity.WARN


@pytest.mark.parametrize(
    "text",
    [
        "Scunthorpe United won",
        "I passed my assessment",
        "Grape juice and class cocktails",
        "Dickens wrote Oliver Twist",
        "We analysed the shuttlecock's flight",
        "the cocktail party",
        "I'm 07 in the house team",
        "Essex and Sussex",
    ],
)
def test_55_clean_words_containing_rude_letters_are_not_flagged(text):
    assert found(text) == []
