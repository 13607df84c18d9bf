import pytest

from custos.screening import Category, Severity
from custos.screening.tests.helpers import EXTERNAL, PUPIL, found, matched

SAFEGUARDING = Category.SAFEGUARDING


def kinds(text, context=PUPIL):
    findings = found(text, context, SAFEGUARDING)
    assert all(f.severity is Severity.ESCALATE for f in findings)
    return {f.kind for f in findings}


@pytest.mark.parametrize(
    "text",
    [
        "i just want to die",
        "I've been cutting myself again",
        "thinking about ending my life",
        "nobody would miss me",
        "I don't want to be alive anymore",
        "gonna take all my pills tonight",
    ],
)
def test_a23_self_harm_and_suicidal_ideation_escalate(text):
    assert kinds(text) == {"self_harm"}


@pytest.mark.parametrize(
    "text",
    [
        "my stepdad hits me when mum is out",
        "I'm scared to go home",
        "there's no food at home again",
        "he touched me and said not to tell",
    ],
)
def test_a23_disclosure_of_abuse_or_neglect_escalates(text):
    assert "abuse_disclosure" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "i dont feel safe at home",
        "I don't feel safe at home",
        "i feel unsafe at home",
        "I am scared of my dad",
        "im scared at home",
        "someone is hurting me",
        "nobody feeds me",
        "i dont want to go home this weekend, its not safe there",
    ],
)
def test_a23_the_everyday_ways_children_say_they_are_unsafe_escalate(text):
    # Found missing by exploratory testing: each of these reached the queue as "clean".
    assert "abuse_disclosure" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "I don't feel safe crossing that road",
        "its not safe there, the ice is thin",
        "I'm always hungry after PE",
        "I was scared of the dark when I was little",
    ],
)
def test_a23_the_same_words_about_everyday_things_alone_are_not_a_disclosure(text):
    assert kinds(text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "this is our little secret ok",
        "delete these messages after",
        "send me a pic of you",
        "are you home alone? add me on snap",
        "how old are u? where do you live?",
        "you're very mature for your age",
    ],
)
def test_a22_grooming_patterns_escalate(text):
    assert "grooming" in kinds(text, EXTERNAL)


def test_a22_one_weak_grooming_signal_alone_is_not_escalated():
    assert kinds("how old are you in this photo, 5?") == set()


def test_a56_sexual_content_involving_young_people_escalates():
    assert "sexual_content_minors" in kinds("year 9 nudes going round", EXTERNAL)


def test_a56_radicalisation_escalates():
    assert "radicalisation" in kinds("the race war is coming, join national action")


def test_a56_weapons_threat_escalates():
    text = "I'm bringing a knife to school tomorrow"
    (finding,) = found(text, PUPIL, SAFEGUARDING)
    assert finding.kind == "weapons"
    assert "knife" in matched(text, finding)


@pytest.mark.parametrize(
    "text",
    [
        "We discussed Macbeth's dagger in English",
        "I could die laughing at that video",
        "The knife skills lesson in food tech was fun",
        "Please tell your parents about the trip",
        "Send me the homework pics please? thanks",
    ],
)
def test_a23_everyday_talk_is_not_escalated(text):
    assert kinds(text) == set()
