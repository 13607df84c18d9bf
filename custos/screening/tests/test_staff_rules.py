from custos.screening import Author, Category, ScreeningContext, Severity, Venue
from custos.screening.tests.helpers import PUPIL, STAFF_POST, found, matched

OFFICIAL = Category.STAFF_OFFICIAL
WEBSPACE = Category.PERSONAL_WEBSPACE


def official(text, context=STAFF_POST):
    findings = found(text, context, OFFICIAL)
    assert all(f.severity is Severity.WARN for f in findings)
    return findings


def test_a410_personal_opinion_in_official_post_warns():
    findings = official("Sports day was great. Personally, I think the new curriculum is a disaster.")
    assert findings
    assert all(f.kind == "personal_opinion" and "A.4.10" in f.clauses for f in findings)


def test_a42_commitment_on_behalf_of_trust_warns():
    text = "We guarantee every pupil a laptop next term."
    findings = official(text)
    assert {f.kind for f in findings} == {"commitment"}
    assert all(f.clauses == ("A.4.2",) for f in findings)


def test_a46_partner_without_recorded_permission_warns_and_with_permission_does_not():
    context = ScreeningContext(author=Author.STAFF, partners={"Acme Sports Ltd": False, "City Museum": True})
    text = "Thanks to Acme Sports Ltd and the City Museum for a great day."
    (finding,) = [f for f in official(text, context) if f.kind == "partner_without_permission"]
    assert matched(text, finding) == "Acme Sports Ltd"
    assert finding.clauses == ("A.4.6",)


def test_a46_citing_others_work_warns():
    assert [f.clauses for f in official("Photo by Jane Doe Photography")] == [("A.4.6",)]


def test_a410_staff_rules_do_not_apply_to_pupils_posts():
    assert found("I think we should have more PE", PUPIL, OFFICIAL) == []


def test_a410_plain_announcement_is_clean():
    assert official("Reminder: the school is closed on Monday for training. Lunch menus are online.") == []


WEBSPACE_CHECK = ScreeningContext(
    author=Author.STAFF,
    venue=Venue.PERSONAL_WEBSPACE,
    organisation_names=("Oakfield Academy", "Education Partnership Trust"),
    brand_terms=("Oakfield Owls",),
    school_email_domains=("oakfield.org.uk",),
)


def test_61_identifying_as_trust_employee_on_personal_webspace_warns():
    text = "Maths teacher at Oakfield Academy. Views my own."
    findings = found(text, WEBSPACE_CHECK, WEBSPACE)
    assert [(f.kind, f.clauses) for f in findings] == [("identifies_employer", ("6.1",))]


def test_61_unknown_school_named_with_role_is_still_found():
    context = ScreeningContext(author=Author.STAFF, venue=Venue.PERSONAL_WEBSPACE)
    assert found("I teach at Riverside Primary School", context, WEBSPACE)


def test_612_school_brand_on_personal_webspace_warns():
    (finding,) = found("Go Oakfield Owls! #matchday", WEBSPACE_CHECK, WEBSPACE)
    assert finding.clauses == ("6.12",)


def test_610_school_email_on_personal_webspace_warns():
    (finding,) = found("DM or email j.bloggs@oakfield.org.uk", WEBSPACE_CHECK, WEBSPACE)
    assert finding.clauses == ("6.10",)


def test_61_personal_webspace_without_work_mentions_is_clean():
    assert found("Lovely walk in the Peak District today", WEBSPACE_CHECK) == []


def test_53_personal_view_in_official_post_also_cites_53():
    (finding,) = official("In my opinion the new bus timetable is a mistake.")
    assert finding.clauses == ("A.4.10", "5.3")


def test_61_role_at_unknown_school_is_found_whatever_the_case_of_the_role():
    findings = found("Teaching assistant at Riverside Primary School, mum of two", WEBSPACE_CHECK, WEBSPACE)
    assert [f.clauses for f in findings] == [("6.1",)]
