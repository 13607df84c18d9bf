from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custos.screening import Author, Roster, RosterPupil, ScreeningContext, Venue, screen
from custos.screening.findings import Severity

ROSTER = Roster([RosterPupil("Jayden", "Smith", pupil_id="1"), RosterPupil("Zoë", "Ng", "Zo", "", "2")])
CONTEXTS = st.builds(
    ScreeningContext,
    author=st.sampled_from(list(Author)),
    venue=st.sampled_from(list(Venue)),
    roster=st.sampled_from([None, ROSTER]),
    organisation_names=st.sampled_from([(), ("Oakfield Academy",)]),
    partners=st.sampled_from([{}, {"Acme": False}]),
)
RISKY_WORDS = st.sampled_from(
    ["fuck", "faggot", "kill myself", "you", "\"", "Jayden", "Smith", "07700 900123", "a@b.co", "SW1A 1AA", "*", "!",
     "f u c k", "don't", "call", "@x", "dob", "12/03/2011", "Oakfield Academy", "...", "(", "ｆ", "𝐟", "\u0000",
     "\ud800"]
)  # fmt: skip
TEXTS = st.one_of(st.text(), st.lists(st.one_of(RISKY_WORDS, st.text(max_size=5)), max_size=30).map(" ".join))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, context=CONTEXTS)
def test_55_engine_never_raises_and_spans_lie_inside_the_text(text, context):
    for finding in screen(text, context):
        assert finding.spans
        for start, end in finding.spans:
            assert 0 <= start < end <= len(text)
        assert finding.clauses
        assert finding.reason
        assert isinstance(finding.severity, Severity)
