"""The Appendix B form (and the shorter A.3.3 participation request), the approval decision, closing, cover,
extensions and host platforms."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from custos.accounts.models import Kind, School, User
from custos.sites.checks import submission_errors
from custos.sites.content import (
    READ_ONLY_FIELDS,
    ROLE_FIELDS,
    current_roles,
    model_field,
    model_fields_for,
    role_fields_for,
    sections_for,
)
from custos.sites.models import ClosureExtension, Decision, Evaluation, HostPlatform, Site, SiteKind

PEOPLE_ERROR = (
    "Choose current staff members of the school: pupils and people outside the school cannot administer, "
    "moderate or vet for an official site (A.3.1)."
)
IMPOSSIBLE_DATE = (
    "This is not a real date, so nothing can be stored in it: enter the day, month and year, for example 16/11/2026."
)
ROLE_LABELS = {
    "administrators": "Names of administrators (the site must have at least 2 approved administrators)",
    "moderators": "Names of moderators (the site must have at least 2 approved moderators)",
    "participants": "Staff who will take part on behalf of the school",
}
HINTS = {
    "reason": "A strong reason: sites must not be created for trivial reasons (7.2).",
    "time_commitment": "Maintaining a site is not a one-off task (A.1.4).",
    "exit_strategy": "How long the site will last and how it will end (A.1.6).",
    "audience_age_min": "Needed when pupils are in the audience; checked against the host's minimum age (A.2.5).",
    "contributors_age_min": "Needed when pupils contribute; checked against the host's minimum age (A.2.5).",
    "contributors_learning_disabilities": "If so, say below how you will obtain consent.",
    "host_platform": "For a third-party host. Not listed? Ask your ICT Manager to add it with its minimum age.",
    "advertising_plan": "Advertising for contributors needs the Head of School's approval (A.5.8).",
    "house_rules": "One rule per line; they are numbered, so moderators can cite \u201cHouse Rule 3\u201d.",
    "administrators": "At least two different people (A.5.4). On a phone or tablet, tick each one; on a computer, "
    "hold Ctrl (or Cmd) to choose more than one.",
    "moderators": "At least two different people, enough to cover leave and absence (A.5.4).",
    "participants": "On a phone or tablet, tick each one; on a computer, hold Ctrl (or Cmd) to choose more than one.",
    "wants_logo": "A school-hosted site always carries the school logo or brand, linking back to the school website "
    "where possible (A.4.7), so for it the answer is always Yes and you can leave this. For a site on a third-party "
    "host, tick to ask for it. Either way the ICT Manager and the Head of School approve its use (A.3.5).",
}
# Appendix B's "Name of author of site": the person who wrote the form, shown, never typed in (see content.py).
AUTHOR_LABEL = "Name of author of site"
OWN_LABELS = {
    "wants_logo": "For a site on a third-party host: is use of the school logo and brand requested? (A.3.5)",
}
LOGO_QUESTION = "Use of the school logo and brand is requested (A.3.5)"
LOGO_ALWAYS_QUESTION = "Use of the school logo and brand (A.3.5, A.4.7)"
LOGO_ALWAYS_ANSWER = "Yes: a school-hosted site always carries the school logo or brand (A.4.7)"
HOUSE_RULES_QUESTION = "House Rules (A.4.1)"
PARTICIPATION_LABELS = {
    "title": "Name of the site you will take part in",
    "address": "Web address of the site",
    "host_platform": "Platform the site is on",
    "go_live_on": "Date you will start taking part",
    "closes_on": "Date you will stop taking part",
    "audience_pupils": "Pupils of the school will see the school's contributions",
    "contributors_pupils": "Pupils will contribute",
    "audience_age_min": "Youngest pupil involved",
    "audience_age_max": "Oldest pupil involved",
    "terms_of_use": "The site's Terms of Use and House Rules, and how they meet the school's standards (A.4.1)",
    "wants_logo": "The school logo and brand will be used (A.3.5)",
}


def staff_of(school: School) -> QuerySet[User]:
    return (
        User.objects.filter(kind=Kind.STAFF, is_active=True)
        .filter(Q(school=school) | Q(role_assignments__school=school))
        .distinct()
        .order_by("last_name", "first_name")
    )


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name()}{' — ' + obj.job_title if obj.job_title else ''}"


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name()}{' — ' + obj.job_title if obj.job_title else ''}"


@dataclass(frozen=True)
class Answer:
    """One question and its answer as approvers read and sign it; ``numbered`` holds a numbered list (House Rules)."""

    question: str
    value: str
    numbered: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShownField:
    """A question shown on the form in its place, with its answer, that is not typed in (the author's name)."""

    name: str
    label: str
    value: str
    help_text: str = ""
    read_only: bool = True


class BaseSiteForm(forms.ModelForm):
    seen_sha256 = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, school: School, kind: str, author: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        # Appendix B §1: the site's author is whoever writes the form; on a new form, the person at the keyboard.
        self.author: User | None = self.instance.author if self.instance.author_id else author
        people = staff_of(school)
        for name in role_fields_for(kind):
            self.fields[name] = PeopleChoice(
                queryset=people,
                required=False,
                label=ROLE_LABELS[name],
                error_messages={"invalid_choice": PEOPLE_ERROR, "invalid_pk_value": PEOPLE_ERROR},
                widget=forms.SelectMultiple(attrs={"size": 6}),
            )
        for name in ("line_manager", "vetting_person"):
            if name in self.fields:
                self.fields[name] = PersonChoice(
                    queryset=people,
                    required=False,
                    label=model_field(name).verbose_name[:1].upper() + model_field(name).verbose_name[1:],
                    error_messages={"invalid_choice": PEOPLE_ERROR},
                )
        if "host_platform" in self.fields:
            self.fields["host_platform"].queryset = HostPlatform.objects.order_by("name")  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            field.required = False  # drafts save at any point; the rules are checked on submit
            if name in HINTS:
                field.help_text = HINTS[name]
            if kind == SiteKind.PARTICIPATION and name in PARTICIPATION_LABELS:
                field.label = PARTICIPATION_LABELS[name]
            elif kind == SiteKind.OWN and name in OWN_LABELS:
                field.label = OWN_LABELS[name]
        if kind == SiteKind.PARTICIPATION and "wants_logo" in self.fields:
            self.fields["wants_logo"].help_text = "The ICT Manager and the Head of School approve its use (A.3.5)."
        for name in ("go_live_on", "closes_on"):
            if name in self.fields:
                self.fields[name].error_messages["invalid"] = IMPOSSIBLE_DATE
        if not self.instance.pk:
            self.instance.school, self.instance.kind = school, kind  # so the rules can be checked before saving
        if self.instance.pk:
            for name in role_fields_for(kind):
                self.initial[name] = [r.user_id for r in self.instance.roles.all() if r.role == ROLE_FIELDS[name]]

    # No clean(): the policy's rules (the date order of A.1.6 among them) live in checks.submission_errors and
    # run on submit, all at once; a draft stores whatever it can hold.

    def report_policy_errors(self, today: dt.date) -> None:
        """On a submit whose input could not all be read, add every policy rule the readable answers break, so the
        person sees every problem in one round; a field whose input was unreadable keeps only that error."""
        site = copy.copy(self.instance)
        for name in self.errors:
            if name in self.fields and name in model_fields_for(self.kind):
                setattr(site, model_field(name).attname, None)
        roles = {name: ([] if name in self.errors else people) for name, people in self.role_values().items()}
        for name, messages in submission_errors(site, roles, today).items():
            if name in self.errors:
                continue
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    def validate_unique(self) -> None:
        # The model's constraints are checked in clean() with the policy's wording and clause.
        return

    def author_name(self) -> str:
        return str(self.author) if self.author is not None else "—"

    def display(self) -> list[tuple[str, list[Answer]]]:
        """The saved form as (section, [Answer]) for reading, approving and printing, in Appendix B's order."""
        site = self.instance
        people: dict[str, list[Any]] = current_roles(site) if site.pk else {}
        out = []
        for title, names in sections_for(self.kind):
            rows = []
            for name in names:
                if name in READ_ONLY_FIELDS:
                    rows.append(Answer(AUTHOR_LABEL, self.author_name()))
                    continue
                label = str(self.fields[name].label)
                if name in ROLE_FIELDS:
                    rows.append(Answer(label, ", ".join(str(u) for u in people.get(name, [])) or "None named"))
                    continue
                if name == "house_rules":
                    rows.append(
                        Answer(HOUSE_RULES_QUESTION, "" if site.house_rules_list else "—", tuple(site.house_rules_list))
                    )
                    continue
                if name == "wants_logo" and self.kind == SiteKind.OWN:
                    if site.is_school_hosted:
                        rows.append(Answer(LOGO_ALWAYS_QUESTION, LOGO_ALWAYS_ANSWER))
                    else:
                        rows.append(Answer(LOGO_QUESTION, "Yes" if site.wants_logo else "No"))
                    continue
                raw = getattr(site, name)
                if isinstance(raw, bool):
                    value = "Yes" if raw else "No"
                elif raw is None or raw == "":
                    value = "—"
                elif hasattr(raw, "strftime"):
                    value = raw.strftime("%d/%m/%Y")
                elif name == "hosting":
                    value = site.get_hosting_display()
                else:
                    value = str(raw)
                rows.append(Answer(label, value))
            out.append((title, rows))
        return out

    def sections(self) -> list[tuple[str, list[Any]]]:
        """The form's fields by section, in Appendix B's order; the author's name is shown, not typed in."""
        author = ShownField(
            "author",
            AUTHOR_LABEL,
            self.author_name(),
            "The person who completes this form. Only they can be named here: an administrator who edits the form "
            "does not become its author.",
        )
        return [
            (title, [author if name in READ_ONLY_FIELDS else self[name] for name in names])
            for title, names in sections_for(self.kind)
        ]

    def model_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data.get(name) for name in model_fields_for(self.kind)}
        for name, value in values.items():
            if value is None and model_field(name).get_internal_type() in (
                "CharField",
                "TextField",
                "URLField",
            ):
                values[name] = ""
        return values

    def role_values(self) -> dict[str, list[User]]:
        return {name: list(self.cleaned_data.get(name) or []) for name in role_fields_for(self.kind)}


WIDGETS: dict[str, Any] = {
    "go_live_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
}


def _formfield(field: Any, **kwargs: Any) -> Any:
    if field.get_internal_type() == "URLField":
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


def site_form(
    kind: str,
    data: Any = None,
    *,
    school: School,
    instance: Site | None = None,
    author: User | None = None,
    **kw: Any,
) -> BaseSiteForm:
    text_fields = [n for n in model_fields_for(kind) if model_field(n).get_internal_type() == "TextField"]
    widgets = {**WIDGETS, **{n: forms.Textarea(attrs={"rows": 3}) for n in text_fields}}
    form_class = forms.modelform_factory(
        Site, form=BaseSiteForm, fields=model_fields_for(kind), widgets=widgets, formfield_callback=_formfield
    )
    form: BaseSiteForm = form_class(data, school=school, kind=kind, instance=instance, author=author, **kw)  # type: ignore[call-arg,assignment]
    return form


class FirstChoiceRadioSelect(forms.RadioSelect):
    """Radio buttons whose error-summary link goes to the first choice (a radio group has no single id)."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


DECISION_COMMENT_NEEDED = "Say what must change, or why the form is rejected, so the author knows (A.3.2)."


class DecisionForm(forms.Form):
    """The ICT Manager's or the Head's decision (A.3.2, A.3.5, A.3.6); a return or rejection needs its reason."""

    decision = forms.ChoiceField(
        choices=Decision.choices,
        widget=FirstChoiceRadioSelect,
        label="Your decision",
        error_messages={
            "required": "Choose approve, return for changes or reject (A.3.2).",
            "invalid_choice": "Choose approve, return for changes or reject (A.3.2).",
        },
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Comments",
        help_text="Required when you return the form for changes or reject it.",
    )
    seen_sha256 = forms.CharField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision = cleaned.get("decision")
        if decision and decision != Decision.APPROVED and not str(cleaned.get("comment") or "").strip():
            self.add_error("comment", DECISION_COMMENT_NEEDED)
        return cleaned


class CloseForm(forms.Form):
    evaluation = forms.ChoiceField(
        choices=Evaluation.choices, widget=forms.RadioSelect, label="Did the site achieve its aims? (A.1.7)"
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="How you evaluated it against its stated aims (A.1.7)"
    )


class CoverForm(forms.Form):
    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"] = PersonChoice(
            queryset=staff_of(school), label="Cover moderator", error_messages={"invalid_choice": PEOPLE_ERROR}
        )


class ExtensionForm(forms.ModelForm):
    class Meta:
        model = ClosureExtension
        fields = ["closes_on_requested", "reason"]
        widgets = {
            "closes_on_requested": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect, label="Your decision")
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Comments")


AGE_ERROR = "The minimum age must be a whole number of years from 0 to 21 (A.2.5)."


class PlatformForm(forms.ModelForm):
    """One platform on the Trust-wide list (7.3, A.2.5). Names are unique whatever their capitals."""

    minimum_age = forms.IntegerField(
        label="Minimum age",
        min_value=0,
        max_value=21,
        help_text="The youngest age the platform's terms allow, in whole years (A.2.5).",
        error_messages={
            "required": "Enter the platform's minimum age: a whole number of years from 0 to 21 (A.2.5).",
            "invalid": AGE_ERROR,
            "min_value": AGE_ERROR,
            "max_value": AGE_ERROR,
        },
    )

    class Meta:
        model = HostPlatform
        fields = ["name", "minimum_age", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"name": {"required": "Enter the platform's name, as the platform itself spells it."}}

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError("Enter the platform's name, as the platform itself spells it.")
        existing = HostPlatform.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).first()
        if existing is not None:
            raise forms.ValidationError(already_listed(existing))
        return name


def already_listed(platform: HostPlatform) -> str:
    """A.2.5: one entry per platform, so a form cannot pick a copy with a lower minimum age."""
    return f"{platform.name} is already listed (minimum age {platform.minimum_age}): change that entry instead (A.2.5)."
