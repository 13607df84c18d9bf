import io

import pytest

from custos.screening import Author, Category, Roster, RosterPupil, ScreeningContext, Severity, Venue, read_roster_csv
from custos.screening.tests.helpers import found, matched

ROSTER = Roster(
    [
        RosterPupil("Jayden", "Smith", pupil_id="P1"),
        RosterPupil("Sophie", "O'Brien", preferred_first_name="Sophy", pupil_id="P2"),
        RosterPupil("Mohammed", "Khan", preferred_first_name="Mo", pupil_id="P3"),
        RosterPupil("Will", "Taylor", pupil_id="P4"),
    ]
)
BY_PUPIL = ScreeningContext(author=Author.PUPIL, roster=ROSTER, author_pupil_id="P1")
BY_STAFF = ScreeningContext(author=Author.STAFF, roster=ROSTER)
BY_EXTERNAL = ScreeningContext(author=Author.EXTERNAL, roster=ROSTER)
PUPIL_ID = Category.PUPIL_IDENTIFICATION


def blocking(text, context=BY_STAFF):
    return [f for f in found(text, context, PUPIL_ID) if f.severity is Severity.BLOCK]


@pytest.mark.parametrize("context", [BY_PUPIL, BY_STAFF, BY_EXTERNAL])
def test_a52_full_name_from_roster_is_blocked_from_anyone(context):
    text = "Well done to Sophie O'Brien for her race!"
    (finding,) = blocking(text, context)
    assert matched(text, finding) == "Sophie O'Brien"
    assert finding.clauses == ("A.5.2", "5.4")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Jaiden Smyth was late", "Jaiden Smyth"),
        ("j4yd3n smith lol", "j4yd3n smith"),
        ("Jayyyden Smiiith", "Jayyyden Smiiith"),
        ("SOPHY OBRIEN", "SOPHY OBRIEN"),
        ("Smith, Jayden", "Smith, Jayden"),
        ("Мо Khan scored", "Мо Khan"),  # Cyrillic М and о
    ],
)
def test_a52_spellings_and_obfuscations_of_a_full_name_are_found(text, name):
    (finding,) = blocking(text)
    assert matched(text, finding) == name


def test_a52_first_name_with_surname_initial_is_blocked():
    text = "Jayden S. is my best friend"
    (finding,) = blocking(text, BY_EXTERNAL)
    assert matched(text, finding) == "Jayden S."
    assert finding.kind == "first_name_initial"


def test_a52_pupils_own_first_name_alone_in_own_post_is_not_a_finding():
    assert found("Jayden here, loved the trip", BY_PUPIL, PUPIL_ID) == []


def test_a52_another_pupils_first_name_alone_is_only_info():
    (finding,) = found("Sophie was great today", BY_STAFF, PUPIL_ID)
    assert finding.severity is Severity.INFO


def test_a52_first_name_that_is_an_everyday_word_is_not_flagged_alone():
    assert found("I will bring it tomorrow", BY_STAFF, PUPIL_ID) == []


def test_a52_full_name_that_uses_everyday_words_is_still_found():
    assert blocking("will taylor is off sick")


def test_68_pupil_name_on_personal_webspace_cites_68():
    context = ScreeningContext(author=Author.STAFF, venue=Venue.PERSONAL_WEBSPACE, roster=ROSTER)
    (finding,) = blocking("Jayden Smith was a nightmare today", context)
    assert "6.8" in finding.clauses


def test_a52_no_roster_no_pupil_findings():
    assert found("Jayden Smith", ScreeningContext(), PUPIL_ID) == []


def test_a52_roster_csv_headers_matched_case_insensitively():
    csv_text = (
        "upn,LEGAL FORENAME,Legal Surname,Preferred Forename,Preferred Surname,Year,DOB,School URN\n"
        "A123,Amelia,Jones,Millie,,7,2013-01-02,100001\n"
        ",,,,,,,\n"
    )
    (pupil,) = read_roster_csv(io.StringIO(csv_text))
    assert pupil == RosterPupil("Amelia", "Jones", "Millie", "", "A123")
    roster = Roster([pupil])
    assert blocking("Millie Jones", ScreeningContext(roster=roster))


def test_a52_full_name_spelled_out_letter_by_letter_is_found():
    text = "j a y d e n  s m i t h is here"
    (finding,) = blocking(text)
    assert matched(text, finding) == "j a y d e n  s m i t h"
