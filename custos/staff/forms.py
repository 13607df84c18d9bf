from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import FileExtensionValidator

from custos.accounts.models import Pupil, School
from custos.community.images import CleanImage, ImageRejected, clean_image


class PupilChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        year = "Reception" if obj.year_group == 0 else f"Year {obj.year_group}"
        return f"{obj.known_as} ({year}, {obj.school.name})"


def _pupils_of_trust(school: School | None) -> Any:
    if school is None:
        return Pupil.objects.none()
    return (
        Pupil.objects.filter(school__trust_id=school.trust_id, on_roll=True)
        .select_related("school")
        .order_by("school__name", "preferred_last_name", "legal_last_name", "preferred_first_name")
    )


class FamilyMemberForm(forms.Form):
    pupil = PupilChoiceField(
        queryset=Pupil.objects.none(), label="Pupil who is a member of your family (6.2, 6.3)", empty_label="Choose…"
    )
    relationship = forms.CharField(label="How they are related to you", max_length=60, help_text="e.g. son, niece")

    def __init__(self, *args: Any, school: School | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = _pupils_of_trust(school)  # type: ignore[attr-defined]


class ContactForm(forms.Form):
    pupil = PupilChoiceField(
        queryset=Pupil.objects.none(),
        label="The pupil whose family member it is",
        required=False,
        empty_label="Not a pupil here / prefer to describe",
    )
    family_member = forms.CharField(label="Name of the family member", max_length=200)
    relationship_to_pupil = forms.CharField(
        label="Their relationship to the pupil", max_length=60, help_text="e.g. mother, grandfather"
    )
    platform = forms.CharField(label="Where you are in contact", max_length=120, help_text="e.g. Facebook, WhatsApp")
    nature = forms.CharField(
        label="How you know them and why it could be a conflict of interest (6.4)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )

    def __init__(self, *args: Any, school: School | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = _pupils_of_trust(school)  # type: ignore[attr-defined]


class LeavingForm(forms.Form):
    ends_on = forms.DateField(
        label="Last day of employment",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="e.g. 31/08/2027",
    )

    def clean_ends_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["ends_on"]
        if value.year < 2000:
            raise forms.ValidationError("That date looks wrong: check the year.")
        return value


class PersonalCheckForm(forms.Form):
    text = forms.CharField(
        label="Your profile or post text",
        help_text="Paste the text. It is checked and shown back to you only: nothing is saved.",
        widget=forms.Textarea(attrs={"rows": 10, "autocomplete": "off", "spellcheck": "true"}),
        max_length=20_000,
    )


class PostForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Text of the post",
        widget=forms.Textarea(attrs={"rows": 10, "data-screen": "post"}),
        max_length=20_000,
        help_text="Checked against the policy as you write (A.4.2–A.4.10).",
    )
    author_position = forms.CharField(
        label="Your position in the school (A.4.8)",
        max_length=120,
        help_text="Shown with the post, e.g. Head of Science",
    )


MAX_IMAGE_BYTES = 2_500_000
GIF_REFUSED = "GIF images cannot be used in official posts. Save the picture as a JPEG or PNG and upload that instead."


class ImageForm(forms.Form):
    image = forms.FileField(
        label="Image",
        # The name is never kept, but a name a web server would run or serve as a page ("photo.jpg.html") is refused
        # outright (GIF passes here only to get its own message below). The content is what is checked.
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp", "gif"])],
        # A hint for the file picker only: the content is what is checked (custos/community/images.py).
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=(
            "JPEG, PNG or WebP, up to 2.5 MB; GIF is not accepted. We keep a fresh copy of the picture without its "
            "hidden details, such as where and when a photo was taken. No pupils' faces without consent (A.5.2)."
        ),
    )
    alt_text = forms.CharField(
        label="Describe the image for people who cannot see it",
        max_length=300,
        help_text="e.g. The Year 6 science fair",
    )

    def clean_image(self) -> CleanImage:
        """Checked by content and re-encoded, as community images are: only the pixels are kept (A.5.2, 5.4)."""
        upload = self.cleaned_data["image"]
        if upload.size > MAX_IMAGE_BYTES:
            raise forms.ValidationError("The image is larger than 2.5 MB: make it smaller and try again.")
        try:
            return clean_image(upload, size=upload.size)
        except ImageRejected as error:
            upload.seek(0)
            if upload.read(6) in (b"GIF87a", b"GIF89a"):
                raise forms.ValidationError(GIF_REFUSED) from error
            raise forms.ValidationError(str(error)) from error


class DecisionForm(forms.Form):
    step = forms.ChoiceField(choices=[("ict", "ICT Manager"), ("head", "Head of School")], widget=forms.HiddenInput)
    seen = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label="Comment (required when you return the post)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PostedForm(forms.Form):
    where = forms.URLField(label="Address of the post on the third-party site", max_length=200, assume_scheme="https")
