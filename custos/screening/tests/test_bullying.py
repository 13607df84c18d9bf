import pytest

from custos.screening import Category, Severity
from custos.screening.tests.helpers import PUPIL, found

BULLYING = Category.BULLYING


@pytest.mark.parametrize(
    "text",
    [
        "nobody likes you",
        "ur so ugly",
        "you're a fat loser",
        "Why are you such a bitch?",
        "everyone hates u",
        "I'm gonna batter you after school",
        "you have no friends",
        "your retarded",
    ],
)
def test_55_bullying_aimed_at_a_person_is_blocked(text):
    findings = found(text, PUPIL, BULLYING)
    assert findings
    assert all(f.severity is Severity.BLOCK and "5.5" in f.clauses for f in findings)


def test_a22_telling_someone_to_kill_themselves_escalates():
    (finding,) = found("just kys already", PUPIL, BULLYING)
    assert finding.severity is Severity.ESCALATE
    assert "A.5.6" in finding.clauses


@pytest.mark.parametrize(
    "text",
    [
        "I feel so ugly today",
        "This homework is stupid",
        "You did so well in the race!",
        "you are amazing",
        "Everyone likes you, don't worry",
    ],
)
def test_55_self_talk_and_kind_words_are_not_bullying(text):
    assert found(text, PUPIL, BULLYING) == []


def test_55_bullying_model_flags_harassment_the_word_lists_miss_and_only_warns():
    from custos.screening.detectors.bullying_model import bullying_model

    model = bullying_model()
    assert model is not None
    findings = found("ur face is nasty", PUPIL, BULLYING)
    assert [(f.kind, f.severity, f.clauses) for f in findings] == [("bullying_model", Severity.WARN, ("5.5", "A.2.2"))]
    assert found("you were brilliant in the play, well done", PUPIL, BULLYING) == []
