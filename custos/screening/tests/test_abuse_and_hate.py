import pytest

from custos.screening import Category, Severity, screen
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


@pytest.mark.parametrize(
    "text",
    [
        '"We hate niggers and we hate faggots" - shouted at the rally',
        "\u201c@someone: what a faggot\u201d lol",
        'Dad just yelled out "gonna fry some chicken like a nigger"',
    ],
)
def test_a56_quoted_sentence_or_quoted_post_is_repetition_not_mention(text):
    """A.5.6: quotation marks make a slur a mention only when they hold the word or a short phrase; a quoted
    sentence or a quoted post repeats the hate."""
    assert found(text, PUPIL, HATE)


@pytest.mark.parametrize(
    "text",
    [
        'He called me a "paki" and I reported it to Miss.',
        'someone searched "stupid niggers" on the school laptop',
        "She called him a faggot in the corridor.",
        "the word faggot should never be used",
    ],
)
def test_a56_short_quotes_reports_and_the_word_x_are_still_mentions(text):
    assert found(text, PUPIL, HATE) == []


def test_a56_mention_noun_in_an_earlier_sentence_does_not_excuse_a_slur():
    text = "That friend you greet with an insult. @amy @ben niggers"
    assert [f.kind for f in found(text, PUPIL, HATE)] == ["racist"]


def test_a56_pronoun_far_from_the_verb_is_not_a_report():
    """A.5.6: "called me X" is a report; a pronoun elsewhere in the sentence ("her purse... how ghetto") is not."""
    assert found("she pulls hot sauce out of her purse i mean come on how ghetto", PUPIL, HATE)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("no just a niggress", "racist"),
        ("look at that sand nigger", "racist"),
        ("what a fagget", "homophobic"),
        ("he's a fucktard", "disablist"),
        ("stop being retarted", "disablist"),
        ("shut up you shirt lifter", "homophobic"),
        ("dirty kyke", "religious"),
        ("they shot another monkey", "racist"),
    ],
)
def test_a56_spelling_and_compound_variants_of_listed_slurs(text, kind):
    assert kind in {f.kind for f in found(text, PUPIL, HATE)}


@pytest.mark.parametrize(
    "text",
    [
        "we need to kill all the crackers",
        "deport the muslims",
        "Move out of our country teabaggers!",
        "Roman Catholics in the US are trash.",
        "immigrants are vermin",
    ],
)
def test_a56_violence_removal_or_dehumanising_aimed_at_a_group_is_hate(text):
    assert [f.kind for f in found(text, PUPIL, HATE)] == ["group_hate"]


@pytest.mark.parametrize(
    "text",
    [
        "this film is trash",
        "put it in the trash can",
        "colored pencils for art",
        "dogs are animals",
        "the Roman Catholic church in the US",
        "we kill time in the library",
    ],
)
def test_55_put_downs_of_things_and_neutral_words_are_not_flagged(text):
    assert [f for f in found(text) if f.severity is not Severity.INFO] == []


def test_55_ghetto_trash_is_an_insult():
    (finding,) = found("black ghetto trash", PUPIL, ABUSE)
    assert finding.kind == "insult"
    assert finding.clauses == ("5.5", "A.4.5")


def test_a56_a_bare_i_nearby_is_not_reclaimed_first_person_use():
    """A.5.6: "I'm a dyke" is reclaimed; "I got a dyke as a manager" is about someone else."""
    assert found("i got a dyke as my manager", PUPIL, HATE)
    assert found("I'm a dyke and proud", PUPIL, HATE) == []
    assert found("us dykes stick together", PUPIL, HATE) == []


@pytest.mark.parametrize("text", ["he is a queer.", "what a homo"])
def test_a56_identity_word_as_a_bare_noun_for_a_person_is_hate(text):
    assert [f.kind for f in found(text, PUPIL, HATE)] == ["homophobic"]


@pytest.mark.parametrize("text", ["we went on a bender", "she dressed up as a fairy.", "a queer club"])
def test_a56_bare_noun_rule_leaves_other_senses_alone(text):
    assert found(text, PUPIL, HATE) == []


@pytest.mark.parametrize(("text", "category"), [("you dirty honky", HATE), ("wassup niqqa", ABUSE)])
def test_55_a56_q_for_g_and_other_spellings(text, category):
    assert [f for f in found(text, PUPIL, category) if f.severity is not Severity.INFO]


def test_a56_honky_tonk_is_music():
    assert found("honky tonk night at the village hall", PUPIL, HATE) == []


@pytest.mark.parametrize("text", ["he's a dirty gypsy", "you thieving pikey", "go home gippo", "smelly travellers"])
def test_a56_sneers_at_gypsy_roma_and_traveller_people_are_racist(text):
    assert [f.kind for f in found(text, PUPIL, Category.HATE)] == ["racist"]


@pytest.mark.parametrize("text", ["Gypsy, Roma and Traveller History Month starts today", "my nan is a traveller"])
def test_a56_gypsy_and_traveller_as_identities_are_not_flagged(text):
    assert screen(text, PUPIL) == []
