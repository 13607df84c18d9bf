"""The case types the policy routes, each with its clause, its owners, its target, the outcomes it may close
with, the referral it needs before closing, and its retention rule.

This module and ``rules.py`` are the one place that says who deals with what; the access matrix in ``rules.py``
is built from ``CASE_TYPES`` below.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db import models

from custos.accounts.models import Role


class CaseType(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    ILLEGAL_CONTENT = "illegal_content", "Illegal or extremely offensive content"
    FRIEND_REQUEST = "friend_request", "Pupil friend request"
    MEDIA_ENQUIRY = "media_enquiry", "Media enquiry"
    BREACH = "breach", "Policy breach"
    DISCIPLINARY = "disciplinary", "Disciplinary referral"
    ALLEGATION = "allegation", "Allegation against a member of staff"


class TargetUnit(models.TextChoices):
    SCHOOL_MINUTES = "school_minutes", "minutes of school time"
    WORKING_DAYS = "working_days", "working days"


class Retention(models.TextChoices):
    CHILD_DOB_PLUS_25 = "dob_plus_25", "Until the youngest linked child's date of birth plus 25 years"
    OPENED_PLUS_10 = "opened_plus_10", "10 years from the allegation (KCSIE), or longer if HR extends it"
    CLOSED_PLUS_6 = "closed_plus_6", "6 years after closure"
    CLOSED_PLUS_1 = "closed_plus_1", "1 year after closure"


class Outcome(models.TextChoices):
    REFERRED = "referred", "Referred to an external agency"
    ACTION_TAKEN = "action_taken", "Dealt with in school: action taken"
    NO_FURTHER_ACTION = "nfa", "No further action"
    SUBSTANTIATED = "substantiated", "Substantiated"
    UNSUBSTANTIATED = "unsubstantiated", "Unsubstantiated"
    UNFOUNDED = "unfounded", "Unfounded"
    FALSE = "false", "False"
    MALICIOUS = "malicious", "Malicious"
    DISCIPLINARY = "disciplinary", "Passed to disciplinary procedures"
    CONTRACTOR_PROCEDURE = "contractor_procedure", "Passed to the contractor's own disciplinary procedure (9.3)"
    RESPONDED = "responded", "Media enquiry answered by the Head of School"
    DECLINED_TO_COMMENT = "declined", "Media enquiry: declined to comment"


class Agency(models.TextChoices):
    POLICE = "police", "Police"
    CEOP = "ceop", "CEOP (Child Exploitation and Online Protection)"
    LADO = "lado", "LADO (Local Authority Designated Officer)"
    CHILDRENS_SOCIAL_CARE = "social_care", "Children's social care / MASH"
    IWF = "iwf", "Internet Watch Foundation"
    PLATFORM = "platform", "The social media platform"
    OTHER = "other", "Other agency"


# A.2.3: "appropriate authorities must be informed". Reporting to the platform is worth doing, but the platform is
# not an authority, so on its own it does not count as the referral a safeguarding concern needs.
AUTHORITIES: tuple[Agency, ...] = tuple(agency for agency in Agency if agency != Agency.PLATFORM)


@dataclass(frozen=True)
class CaseTypeSpec:
    case_type: CaseType
    clause: str
    prefix: str
    # owners: routed to, work the case, open it without giving a reason.
    owners: tuple[str, ...]
    # editors: may also work the case, but state a reason each session they open it.
    editors: tuple[str, ...] = ()
    # readers: may open read-only, stating a reason.
    readers: tuple[str, ...] = ()
    target: int = 1
    target_unit: TargetUnit = TargetUnit.WORKING_DAYS
    # Who hears when nobody acknowledges: each step waits one more target period (A.2.3, "immediately").
    escalation: tuple[tuple[str, ...], ...] = ()
    # The outcomes this type may close with, first the most usual; nothing else is offered or accepted.
    outcomes: tuple[Outcome, ...] = ()
    # Agencies one of which must be in the chronology before the case can close, unless a reason is given why no
    # referral was made (empty: no referral needed).
    required_referral: tuple[Agency, ...] = ()
    # How the closing form and its error name that referral, e.g. "Police or CEOP".
    referral_words: str = ""
    retention: Retention = Retention.CLOSED_PLUS_6
    reporter_reminder: str = ""
    # Working days within which the required referral must be recorded (0: no referral target). KCSIE: an
    # allegation against staff is referred to the LADO within one working day.
    referral_target_days: int = 0

    @property
    def label(self) -> str:
        return str(self.case_type.label)

    @property
    def may_open(self) -> tuple[str, ...]:
        return self.owners + self.editors + self.readers

    @property
    def may_edit(self) -> tuple[str, ...]:
        return self.owners + self.editors

    @property
    def outcome_choices(self) -> list[tuple[str, str]]:
        return [(outcome.value, str(outcome.label)) for outcome in self.outcomes]


CASE_TYPES: dict[str, CaseTypeSpec] = {
    spec.case_type.value: spec
    for spec in (
        CaseTypeSpec(
            CaseType.SAFEGUARDING,
            clause="A.2.3",
            prefix="SG",
            owners=(Role.DSL, Role.DEPUTY_DSL),
            target=60,
            target_unit=TargetUnit.SCHOOL_MINUTES,
            escalation=((Role.DEPUTY_DSL,), (Role.HEAD_OF_SCHOOL,)),
            # A.2.3: a disclosure or exposure is dealt with by informing the appropriate authorities, or by the
            # school where the DSL judges that none need be, which the DSL then says why.
            outcomes=(Outcome.REFERRED, Outcome.ACTION_TAKEN, Outcome.NO_FURTHER_ACTION),
            required_referral=AUTHORITIES,
            referral_words="an external agency",
            retention=Retention.CHILD_DOB_PLUS_25,
        ),
        CaseTypeSpec(
            CaseType.ILLEGAL_CONTENT,
            clause="A.5.6",
            prefix="IC",
            owners=(Role.DSL,),
            editors=(Role.DEPUTY_DSL,),
            target=60,
            target_unit=TargetUnit.SCHOOL_MINUTES,
            escalation=((Role.DEPUTY_DSL,), (Role.HEAD_OF_SCHOOL,)),
            # A.5.6: removed at once and the Police or CEOP informed if illegal; extremely offensive but legal
            # content is dealt with in school.
            outcomes=(Outcome.REFERRED, Outcome.ACTION_TAKEN, Outcome.NO_FURTHER_ACTION),
            required_referral=(Agency.POLICE, Agency.CEOP),
            referral_words="Police or CEOP",
            retention=Retention.CHILD_DOB_PLUS_25,
            reporter_reminder="Do not copy, screenshot, forward or show anyone an image you think may be an indecent "
            "image of a child: describe where you saw it instead.",
        ),
        CaseTypeSpec(
            CaseType.FRIEND_REQUEST,
            clause="6.6",
            prefix="FR",
            owners=(Role.AHT_PASTORAL,),
            editors=(Role.DSL, Role.DEPUTY_DSL),
            target=1,
            target_unit=TargetUnit.WORKING_DAYS,
            escalation=((Role.DSL, Role.DEPUTY_DSL), (Role.HEAD_OF_SCHOOL,)),
            # 6.6: the AHT – Pastoral "can also take appropriate action"; a worry about the pupil is its own
            # safeguarding concern (A.2.3), opened separately.
            outcomes=(Outcome.ACTION_TAKEN, Outcome.NO_FURTHER_ACTION),
            retention=Retention.CLOSED_PLUS_6,
            reporter_reminder="Decline the request, mention in general terms in class that staff cannot be friends on "
            "personal accounts, and point pupils to the official school site (6.6).",
        ),
        CaseTypeSpec(
            CaseType.MEDIA_ENQUIRY,
            clause="A.3.7",
            prefix="ME",
            owners=(Role.HEAD_OF_SCHOOL,),
            readers=(Role.EXECUTIVE_HEADTEACHER,),
            target=60,
            target_unit=TargetUnit.SCHOOL_MINUTES,
            escalation=((Role.EXECUTIVE_HEADTEACHER,),),
            # A.3.7: only the Head of School decides whether and what the school says.
            outcomes=(Outcome.RESPONDED, Outcome.DECLINED_TO_COMMENT),
            retention=Retention.CLOSED_PLUS_1,
            reporter_reminder="Do not reply to the journalist or outlet yourself: the Head of School will decide "
            "who answers and what is said (A.3.7).",
        ),
        CaseTypeSpec(
            CaseType.BREACH,
            clause="9.1",
            prefix="BR",
            owners=(Role.HEAD_OF_SCHOOL, Role.HR),
            target=1,
            target_unit=TargetUnit.WORKING_DAYS,
            escalation=((Role.EXECUTIVE_HEADTEACHER,),),
            # 9.1: may lead to disciplinary action; 9.3: a contractor's breach goes to their own procedure.
            outcomes=(
                Outcome.ACTION_TAKEN,
                Outcome.DISCIPLINARY,
                Outcome.CONTRACTOR_PROCEDURE,
                Outcome.NO_FURTHER_ACTION,
            ),
            retention=Retention.CLOSED_PLUS_6,
        ),
        CaseTypeSpec(
            CaseType.DISCIPLINARY,
            clause="9.2",
            prefix="DR",
            owners=(Role.HR,),
            editors=(Role.HEAD_OF_SCHOOL,),
            target=2,
            target_unit=TargetUnit.WORKING_DAYS,
            escalation=((Role.HEAD_OF_SCHOOL,), (Role.EXECUTIVE_HEADTEACHER,)),
            # 9.2: disciplinary action or dismissal; "any illegal acts" are also the Police's; 9.3 for contractors.
            outcomes=(
                Outcome.DISCIPLINARY,
                Outcome.CONTRACTOR_PROCEDURE,
                Outcome.REFERRED,
                Outcome.NO_FURTHER_ACTION,
            ),
            retention=Retention.CLOSED_PLUS_6,
        ),
        CaseTypeSpec(
            CaseType.ALLEGATION,
            clause="A.2.3",
            prefix="AL",
            owners=(Role.HEAD_OF_SCHOOL,),
            editors=(Role.DSL,),
            readers=(Role.DEPUTY_DSL,),
            target=1,
            target_unit=TargetUnit.WORKING_DAYS,
            escalation=((Role.DSL,), (Role.EXECUTIVE_HEADTEACHER,)),
            # KCSIE's five outcomes of an allegation against staff (A.2.3), after the LADO has been told.
            outcomes=(
                Outcome.SUBSTANTIATED,
                Outcome.UNSUBSTANTIATED,
                Outcome.UNFOUNDED,
                Outcome.FALSE,
                Outcome.MALICIOUS,
            ),
            required_referral=(Agency.LADO,),
            referral_words="the LADO",
            retention=Retention.OPENED_PLUS_10,
            reporter_reminder="Do not discuss the allegation with the member of staff concerned or investigate it "
            "yourself.",
            referral_target_days=1,
        ),
    )
}

# KCSIE (A.2.3): an allegation against the Head is dealt with by the person above them, the Executive Headteacher,
# and never goes to the Head (nor to whoever holds the Head's role alongside them). The DSL still helps and the
# deputy may read it; if the Executive Headteacher does not pick it up, the DSL is told.
ALLEGATION_AGAINST_HEAD = replace(
    CASE_TYPES[CaseType.ALLEGATION],
    owners=(Role.EXECUTIVE_HEADTEACHER,),
    editors=(Role.DSL,),
    readers=(Role.DEPUTY_DSL,),
    escalation=((Role.DSL,),),
)


def spec_for(case_type: str, *, against_head: bool = False) -> CaseTypeSpec:
    if against_head and case_type == CaseType.ALLEGATION:
        return ALLEGATION_AGAINST_HEAD
    return CASE_TYPES[case_type]


def routing_variants() -> list[tuple[CaseTypeSpec, bool | None]]:
    """Every spec with the ``against_head`` value it applies to (None: any), for filters built per spec."""
    variants: list[tuple[CaseTypeSpec, bool | None]] = []
    for key, spec in CASE_TYPES.items():
        if key == CaseType.ALLEGATION:
            variants += [(spec, False), (ALLEGATION_AGAINST_HEAD, True)]
        else:
            variants.append((spec, None))
    return variants


# What the screening/moderation app calls a finding, mapped to the case it opens (A.5.6, A.2.3).
SCREENING_CATEGORY_TO_CASE_TYPE: dict[str, CaseType] = {
    # custos.screening.findings.Category values, plus the plain words other apps may use.
    "safeguarding": CaseType.SAFEGUARDING,
    "personal_information": CaseType.SAFEGUARDING,
    "pupil_identification": CaseType.SAFEGUARDING,
    "bullying": CaseType.SAFEGUARDING,
    "hate": CaseType.ILLEGAL_CONTENT,
    "abuse": CaseType.ILLEGAL_CONTENT,
    "illegal": CaseType.ILLEGAL_CONTENT,
    "staff_official": CaseType.BREACH,
    "personal_webspace": CaseType.BREACH,
    "staff_conduct": CaseType.ALLEGATION,
}


def case_type_for_screening(category: str) -> CaseType:
    """The case type for a screening category; anything unknown is treated as a safeguarding concern."""
    return SCREENING_CATEGORY_TO_CASE_TYPE.get(category.strip().lower(), CaseType.SAFEGUARDING)
