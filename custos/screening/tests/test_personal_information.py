import pytest
from faker import Faker

from custos.screening import Author, Category, ScreeningContext, Severity, Venue, screen
from custos.screening.tests.helpers import PUPIL, STAFF_POST, found, matched

PII = Category.PERSONAL_INFORMATION


def of_kind(text, kind, context=PUPIL):
    return [f for f in found(text, context, PII) if f.kind == kind]


@pytest.mark.parametrize(
    "number", ["07700 900123", "07700900123", "+44 7700 900123", "(020) 7946 0958", "0161 496 0000", "+1-984-182-0190"]
)
def test_54_uk_mobile_number_found(number):
    text = f"text me on {number} later"
    (finding,) = of_kind(text, "phone")
    assert matched(text, finding) == number
    assert finding.severity is Severity.BLOCK
    assert "A.2.2" in finding.clauses


@pytest.mark.parametrize(
    "text",
    [
        "I'm 07 in the house team",
        "We won 3-1 on 12/03/2024",
        "Year 10 trip 2023-2024",
        "Room 101 at 9:15",
        "Score: 1000",
    ],
)
def test_54_numbers_that_are_not_phones_are_not_flagged(text):
    assert of_kind(text, "phone") == []


def test_a22_email_address_found_with_exact_span():
    text = "Email me: jo.bloggs+x@gmail.com thanks"
    (finding,) = of_kind(text, "email")
    assert matched(text, finding) == "jo.bloggs+x@gmail.com"


def test_a22_obfuscated_email_found():
    assert of_kind("jo bloggs at gmail dot com", "email")


@pytest.mark.parametrize("postcode", ["SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB", "ls6 2ab"])
def test_615_uk_postcode_found(postcode):
    text = f"we live near {postcode} now"
    (finding,) = of_kind(text, "postcode")
    assert matched(text, finding) == postcode


@pytest.mark.parametrize("text", ["meet in b12 3rd floor", "Y10 2nd half of term", "I got 100 marks"])
def test_615_things_that_are_not_postcodes_are_not_flagged(text):
    assert of_kind(text, "postcode") == []


def test_615_street_address_found():
    text = "come round to 14 Acacia Avenue after school"
    (finding,) = of_kind(text, "address")
    assert matched(text, finding) == "14 Acacia Avenue"


def test_a22_date_of_birth_found():
    assert of_kind("my dob is 12/03/2011", "date_of_birth")
    assert of_kind("I was born on 4th May 2012", "date_of_birth")


def test_a22_plain_date_is_not_a_date_of_birth():
    assert of_kind("Trip on 4th May 2025", "date_of_birth") == []


def test_a22_social_handles_found():
    assert of_kind("follow @cool_kid_99 lol", "social_handle")
    assert of_kind("add me on snap: sk8rboi", "social_handle")


def test_a49_staff_home_details_on_official_site_are_blocked_citing_a49():
    (finding,) = of_kind("Call me at home on 0161 496 0000", "phone", STAFF_POST)
    assert finding.severity is Severity.BLOCK
    assert finding.clauses[0] == "A.4.9"


def test_615_personal_webspace_check_warns_citing_615():
    context = ScreeningContext(author=Author.STAFF, venue=Venue.PERSONAL_WEBSPACE)
    (finding,) = of_kind("ring me 07700 900123", "phone", context)
    assert finding.severity is Severity.WARN
    assert finding.clauses == ("6.15",)


def test_610_school_email_on_personal_webspace_is_flagged():
    context = ScreeningContext(
        author=Author.STAFF, venue=Venue.PERSONAL_WEBSPACE, school_email_domains=("oakfield.org.uk",)
    )
    for address in ("j.smith@oakfield.org.uk", "head@stmarys.lancs.sch.uk"):
        findings = screen(f"contact: {address}", context)
        assert [(f.category, f.clauses) for f in findings] == [(Category.PERSONAL_WEBSPACE, ("6.10",))]


def test_54_faker_en_gb_contact_details_are_all_found():
    fake = Faker("en_GB")
    Faker.seed(4)
    for _ in range(50):
        phone, email, postcode = fake.phone_number(), fake.email(), fake.postcode()
        text = f"Ring {phone} or write to {email}, {postcode}."
        got = {f.kind: matched(text, f) for f in found(text, PUPIL, PII)}
        assert got.get("phone", "").strip("()") in phone, text
        assert got.get("email") == email, text
        assert got.get("postcode") == postcode, text


def test_a44_external_contributors_contact_details_are_blocked_citing_a44():
    from custos.screening.tests.helpers import EXTERNAL

    (finding,) = of_kind("Message me on 07700 900123", "phone", EXTERNAL)
    assert finding.severity is Severity.BLOCK
    assert "A.4.4" in finding.clauses
