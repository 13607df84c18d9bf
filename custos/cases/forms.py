"""Forms: the staff report forms (one form class serves all four) and the forms for working a case."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from custos.accounts import access
from custos.accounts.models import Pupil, School, User
from custos.cases.business_time import WEEKDAY_NAMES
from custos.cases.chronology import LineKind
from custos.cases.models import BankHolidays, Case, EntryKind
from custos.cases.pupils import SHARED_NAME_HINT, PupilChoiceField
from custos.cases.types import Agency, CaseType, TargetUnit


def _model_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _pupil_field(form: forms.Form) -> PupilChoiceField:
    return cast(PupilChoiceField, form.fields["pupil"])


# A date picker shows a pre-filled value only in ISO form; without it a form shown again comes up blank.
ISO_DATE = "%Y-%m-%d"


class ReportKind:
    """A staff report form: which case types it may open, and the questions it asks."""

    def __init__(self, slug: str, title: str, intro: str, clause: str, types: list[CaseType], summary_label: str):
        self.slug, self.title, self.intro, self.clause = slug, title, intro, clause
        self.types, self.summary_label = types, summary_label


REPORT_KINDS: dict[str, ReportKind] = {
    kind.slug: kind
    for kind in (
        ReportKind(
            "concern",
            "Report a concern",
            "Something you saw, heard or were told online that worries you about a child, content that may be "
            "illegal or extremely offensive, or the conduct of an adult who works with children. "
            "If a child is in immediate danger, call 999 and tell the Designated Safeguarding Lead in person now.",
            "A.2.3",
            [CaseType.SAFEGUARDING, CaseType.ILLEGAL_CONTENT, CaseType.ALLEGATION],
            "What happened? Use the words that were used, and say when and where",
        ),
        ReportKind(
            "friend-request",
            "A pupil sent me a friend request",
            "Decline the request first. Then tell us here, so that the Assistant Head Teacher – Pastoral knows (6.6).",
            "6.6",
            [CaseType.FRIEND_REQUEST],
            "Anything else we should know (for example, messages that came with it)",
        ),
        ReportKind(
            "media-enquiry",
            "I received a media enquiry",
            "All media enquiries go to the Head of School at once. Do not reply to the journalist yourself (A.3.7).",
            "A.3.7",
            [CaseType.MEDIA_ENQUIRY],
            "What did they ask?",
        ),
        ReportKind(
            "breach",
            "Report a breach of the Social Media Policy",
            "A breach by a member of staff, or (for contractors) one you must report at once under 9.3.",
            "9.3",
            [CaseType.BREACH],
            "What happened, and when?",
        ),
    )
}

CONCERN_CHOICES = [
    (CaseType.SAFEGUARDING, "A child may be at risk of harm (safeguarding)"),
    (CaseType.ILLEGAL_CONTENT, "Content that may be illegal or extremely offensive (for example racist or homophobic)"),
    (CaseType.ALLEGATION, "The conduct of an adult who works with children"),
]


class ReportForm(forms.Form):
    concern_type = forms.ChoiceField(label="What is it about?", choices=CONCERN_CHOICES, widget=forms.RadioSelect)
    school = forms.ModelChoiceField(label="Which school?", queryset=School.objects.none())
    summary = forms.CharField(label="What happened?", widget=forms.Textarea(attrs={"rows": 6}), max_length=10_000)
    pupil = PupilChoiceField(label="Which pupil?", queryset=Pupil.objects.none(), required=False)
    platform = forms.CharField(label="Which app or site?", max_length=100, required=False)
    received_on = forms.DateField(
        label="When did you receive it?",
        required=False,
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"}),
    )
    declined = forms.BooleanField(
        label="I have declined the friend request", required=False, help_text="Staff must decline requests (6.6)"
    )
    outlet = forms.CharField(label="Newspaper, station or outlet", max_length=200, required=False)
    contact = forms.CharField(label="Their name and contact details", max_length=300, required=False)
    deadline = forms.CharField(label="Their deadline, if they gave one", max_length=100, required=False)
    person = forms.CharField(
        label="Who was involved?", max_length=200, required=False, help_text="Name, or leave empty if not known"
    )
    at_risk_now = forms.BooleanField(
        label="A child may be at risk now",
        required=False,
        help_text="Custos alerts whoever is on call at once, day or night, by text message as well as email. If a "
        "child is in immediate danger, call 999 first.",
    )
    about_head = forms.BooleanField(
        label="It is about the Head of School/Head Teacher",
        required=False,
        help_text="For the conduct of an adult: then it goes to the Executive Headteacher, never to the Head (KCSIE).",
    )
    where = forms.CharField(label="Where is the content? (web address)", max_length=500, required=False)
    evidence = forms.FileField(
        label="Evidence file (optional)",
        required=False,
        help_text="Do not copy, screenshot or forward an image you think may be an indecent image of a child.",
    )

    FIELDS_BY_KIND = {
        "concern": [
            "concern_type",
            "school",
            "at_risk_now",
            "summary",
            "pupil",
            "person",
            "about_head",
            "platform",
            "where",
            "evidence",
        ],
        "friend-request": ["school", "pupil", "platform", "received_on", "declined", "summary"],
        "media-enquiry": ["school", "outlet", "contact", "deadline", "received_on", "summary"],
        "breach": ["school", "person", "platform", "where", "received_on", "summary", "evidence"],
    }

    def __init__(self, *args: Any, kind: ReportKind, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind, self.user = kind, user
        for name in list(self.fields):
            if name not in self.FIELDS_BY_KIND[kind.slug]:
                del self.fields[name]
        self.fields["summary"].label = kind.summary_label
        # In the order people think: who and where first, "anything else" last (FIELDS_BY_KIND's order).
        self.order_fields(self.FIELDS_BY_KIND[kind.slug])
        if kind.slug == "friend-request":
            self.fields["summary"].required = False  # "Anything else" is optional: the pupil and platform say it
        if user.school_id is not None:
            del self.fields["school"]
        else:
            _model_field(self, "school").queryset = School.objects.all()
        if "pupil" in self.fields:
            school = user.school if user.school_id is not None else self._chosen_school()
            may_see_birth = school is not None and access.can(user, "accounts.view_pupil_legal_name", school)
            _pupil_field(self).offer(Pupil.objects.filter(school=school, on_roll=True), may_see_birth=may_see_birth)
            if kind.slug == "friend-request":
                self.fields["pupil"].required = True
                self.fields["pupil"].help_text = "The pupil who sent the request"
            else:
                self.fields["pupil"].help_text = "Leave empty if not known." + (
                    "" if may_see_birth else " " + SHARED_NAME_HINT
                )
        if kind.slug == "media-enquiry":
            self.fields["outlet"].required = True

    def _chosen_school(self) -> School | None:
        # Trust-wide staff choose the school on the form; until then there is no one to choose from.
        chosen = str(self.data.get("school") or "")
        return School.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None

    def clean_received_on(self) -> Any:
        day = self.cleaned_data.get("received_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return day

    def clean_declined(self) -> bool:
        declined = bool(self.cleaned_data.get("declined"))
        if self.kind.slug == "friend-request" and not declined:
            raise forms.ValidationError(
                "Decline the pupil's friend request first, then tick this box (6.6). If you cannot decline it, "
                "say why in the box below and ask the Assistant Head Teacher – Pastoral."
            )
        return declined

    def clean_summary(self) -> str:
        summary = (self.cleaned_data.get("summary") or "").strip()
        if not summary and self.kind.slug == "friend-request":
            return "A pupil sent me a friend request on my personal social media; I declined it (6.6)."
        return summary

    def case_type(self) -> str:
        if self.kind.slug == "concern":
            return self.cleaned_data["concern_type"]
        return self.kind.types[0]

    def against_head(self) -> bool:
        return self.case_type() == CaseType.ALLEGATION and bool(self.cleaned_data.get("about_head"))

    def target_school(self) -> School:
        return self.user.school if self.user.school is not None else self.cleaned_data["school"]

    def details(self) -> dict[str, str]:
        skip = {"summary", "concern_type", "school", "pupil", "evidence", "about_head", "at_risk_now"}
        return {
            str(self.fields[name].label): str(value)
            for name, value in self.cleaned_data.items()
            if name not in skip and value not in (None, "", False)
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to open this case?",
        help_text="Recorded in the audit log with your name.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type",
        choices=[(EntryKind.NOTE, "Note"), (EntryKind.ACTION, "Action taken"), (EntryKind.DECISION, "Decision")],
    )
    text = forms.CharField(
        label="What was done or decided", widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000
    )


# No agency or outcome is chosen for the person: a hurried click must not record a referral that never happened.
CHOOSE = ("", "Choose…")


class ReferralForm(forms.Form):
    agency = forms.ChoiceField(
        label="Agency",
        choices=[CHOOSE, *Agency.choices],
        error_messages={"required": "Choose the agency the case was referred to."},
    )
    reference = forms.CharField(label="Their reference number", max_length=100, required=False)
    referred_on = forms.DateField(
        label="Date referred", widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"})
    )
    referred_by = forms.CharField(
        label="Referred by",
        max_length=200,
        required=False,
        help_text="Who made the referral, if not you. Leave empty if you made it yourself.",
    )
    text = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)


class AssignForm(forms.Form):
    to = forms.ModelChoiceField(label="Assign to", queryset=User.objects.none())

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_field(self, "to").queryset = people


class CloseForm(forms.Form):
    """Offers only the case type's outcomes (``types.CASE_TYPES``), and asks why no referral was made only where the
    type needs one (A.2.3, A.5.6). ``actions.close_case`` checks both again, whatever path the request took."""

    outcome = forms.ChoiceField(label="Outcome", choices=[CHOOSE], error_messages={"required": "Choose the outcome."})
    notes = forms.CharField(
        label="How it was dealt with",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        error_messages={"required": "Say how the case was dealt with before closing it."},
    )
    no_referral_reason = forms.CharField(
        label="If no referral was made, why not",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = case.spec
        outcome = cast(forms.ChoiceField, self.fields["outcome"])
        outcome.choices = [CHOOSE, *spec.outcome_choices]
        outcome.error_messages["invalid_choice"] = (
            f"Choose one of the outcomes listed for {spec.label.lower()} cases ({spec.clause})."
        )
        if spec.required_referral:
            reason = self.fields["no_referral_reason"]
            reason.label = f"If no referral to {spec.referral_words} was made, why not"
            reason.help_text = (
                f"{spec.clause}: record the referral above before closing, or say here why none was made."
            )
        else:
            del self.fields["no_referral_reason"]


class ReopenForm(forms.Form):
    reason = forms.CharField(label="Why reopen it?", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class EvidenceForm(forms.Form):
    text = forms.CharField(label="Text, exactly as received", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    file = forms.FileField(label="File", required=False)


class LinkForm(forms.Form):
    pupil = PupilChoiceField(label="Pupil", queryset=Pupil.objects.none(), required=False)
    user = forms.ModelChoiceField(label="Member of staff", queryset=User.objects.none(), required=False)
    content = forms.CharField(label="Content (web address or post id)", max_length=500, required=False)

    def __init__(self, *args: Any, school: School, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _pupil_field(self).offer(
            Pupil.objects.filter(school=school, on_roll=True),
            may_see_birth=access.can(viewer, "accounts.view_pupil_legal_name", school),
        )
        _model_field(self, "user").queryset = User.objects.filter(school=school, kind="staff", is_active=True)


class QuarantineForm(forms.Form):
    reason = forms.CharField(
        label="Why must you open this quarantined evidence?",
        help_text="Recorded in the chronology and the audit log (A.5.6). Do not copy or share what you see.",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=1000,
    )


class DeletionForm(forms.Form):
    reason = forms.CharField(label="Retention review notes", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    confirm = forms.BooleanField(label="I confirm this record may now be permanently deleted")


class TargetForm(forms.Form):
    case_type = forms.ChoiceField(label="Case type", choices=CaseType.choices)
    amount = forms.IntegerField(label="Acknowledge within", min_value=1, max_value=10_000)
    unit = forms.ChoiceField(label="Unit", choices=TargetUnit.choices)


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", max_length=100, required=False)
    case_type = forms.ChoiceField(label="Type", choices=[("", "Any"), *CaseType.choices], required=False)
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Any"), ("new", "New"), ("open", "Being dealt with"), ("closed", "Closed")],
        required=False,
    )


WEEKDAY_CHOICES = [(str(number), name) for number, name in enumerate(WEEKDAY_NAMES)]
TIME_ERRORS = {"invalid": "Enter a time on the 24-hour clock, as hours and minutes, for example 08:30."}


def _clock_time(edge: str, example: str) -> forms.TimeField:
    """A time of day on the 24-hour clock for when the school day ``edge`` ("starts", "ends")."""
    return forms.TimeField(
        label=f"The school day {edge} at",
        help_text=f"24-hour clock, for example {example}",
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        error_messages={"required": f"Enter the time the school day {edge}.", **TIME_ERRORS},
        widget=forms.TimeInput(format="%H:%M", attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class SchoolDayForm(forms.Form):
    """The school day that school-time targets count in (A.2.3); ``version`` is what the person saw."""

    day_starts = _clock_time("starts", "08:30")
    day_ends = _clock_time("ends", "16:00")
    # Not required here: the action says why at least one day is needed, beside this field.
    weekdays = forms.TypedMultipleChoiceField(
        label="School days", choices=WEEKDAY_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class ClosedDayForm(forms.Form):
    day = forms.DateField(
        label="Date",
        help_text="Day/month/year, for example 26/12/2025",
        input_formats=["%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d"],
        error_messages={
            "required": "Enter the date of the closed day.",
            "invalid": "Enter a real date as day/month/year, for example 26/12/2025.",
        },
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    label = forms.CharField(
        label="What the day is",
        help_text="For example: Boxing Day, INSET day",
        max_length=100,
        error_messages={"required": "Say what the day is, for example “Easter Monday” or “INSET day”."},
    )


UK_DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d"]


def _uk_date(label: str, required: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text="Day/month/year, for example 30/03/2026",
        input_formats=UK_DATE_FORMATS,
        error_messages={
            "required": required,
            "invalid": "Enter a real date as day/month/year, for example 30/03/2026.",
        },
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class SchoolHolidayForm(forms.Form):
    first_day = _uk_date("First day of the holiday", "Enter the first day of the holiday.")
    last_day = _uk_date("Last day of the holiday", "Enter the last day of the holiday.")
    label = forms.CharField(
        label="What the holiday is",
        help_text="For example: Easter holidays, October half term",
        max_length=100,
        error_messages={"required": "Say what the holiday is, for example “Easter holidays”."},
    )


class OutOfHoursForm(forms.Form):
    bank_holidays = forms.ChoiceField(label="Bank holidays the schools close for", choices=BankHolidays.choices)
    alert_ack_minutes = forms.IntegerField(
        label="Minutes to acknowledge an urgent alert",
        help_text="When a child may be at risk now, the person on call has this long before the next person is "
        "alerted (A.2.3). Usually 15.",
        min_value=1,
        max_value=120,
        error_messages={
            "required": "Enter how many minutes, for example 15.",
            "min_value": "At least 1 minute.",
            "max_value": "At most 120 minutes: A.2.3 asks for action immediately.",
            "invalid": "Enter a whole number of minutes, for example 15.",
        },
    )


DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _moment(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_LOCAL, "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"],
        help_text="Day/month/year and time, for example 03/04/2026 17:00",
        widget=forms.DateTimeInput(format=DATETIME_LOCAL, attrs={"type": "datetime-local"}),
        error_messages={
            "required": f"Enter when the shift {'starts' if 'start' in label.lower() else 'ends'}.",
            "invalid": "Enter a real date and time, for example 03/04/2026 17:00.",
        },
    )


class ShiftForm(forms.Form):
    """One on-call shift (A.2.3), optionally repeated weekly."""

    person = forms.ModelChoiceField(
        label="Who is on call",
        queryset=User.objects.none(),
        empty_label="Choose…",
        error_messages={"required": "Choose who is on call."},
    )
    starts_at = _moment("Starts")
    ends_at = _moment("Ends")
    position = forms.TypedChoiceField(
        label="Asked",
        choices=[(1, "First"), (2, "Second (if the first does not answer)"), (3, "Third")],
        coerce=int,
        initial=1,
    )
    repeat_weeks = forms.IntegerField(
        label="Repeat for how many weeks",
        initial=1,
        min_value=1,
        max_value=26,
        help_text="1 for this shift only; for example 6 for the same night each week to half term.",
        error_messages={"min_value": "At least 1 week.", "max_value": "At most 26 weeks."},
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_field(self, "person").queryset = people


class ChronologyReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need this pupil's whole chronology?",
        help_text="Recorded in the audit log with your name, each time you open it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Say why you need this pupil's whole chronology."},
    )


class ChronologyFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(
        label="Show", choices=LineKind.CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    case_type = forms.ChoiceField(label="Type of case", choices=[("", "Any"), *CaseType.choices], required=False)
    since = forms.DateField(label="From", required=False, input_formats=UK_DATE_FORMATS)
    until = forms.DateField(label="To", required=False, input_formats=UK_DATE_FORMATS)
