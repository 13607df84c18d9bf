"""Staff pages: declarations (6.2–6.4), leaving (6.7), the personal webspace check (section 6) and official
posts (A.3.4, A.4). Views parse input, ask ``access`` and call one action."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from custos.accounts import access
from custos.accounts.models import FamilyLink, Kind, School, User
from custos.lib.http import AuthedRequest
from custos.policy.queries import acknowledgement_schools, staff_of
from custos.staff import actions, forms, queries, screening
from custos.staff.advice import GENERAL, advice_for
from custos.staff.models import ContactDeclaration, PostApproval, PostImage, PostState

# --- Declarations (6.2, 6.3, 6.4) -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def declarations(request: AuthedRequest) -> HttpResponse:
    user = request.user
    access.require(user, "staff.declare")
    family_form = forms.FamilyMemberForm(prefix="family", school=user.school)
    contact_form = forms.ContactForm(prefix="contact", school=user.school)
    if request.method == "POST":
        try:
            if request.POST.get("step") == "family":
                family_form = forms.FamilyMemberForm(request.POST, prefix="family", school=user.school)
                if family_form.is_valid():
                    actions.declare_family_member(user, **family_form.cleaned_data)
                    messages.success(request, "Family member declared (6.2, 6.3).")
                    return redirect("staff_declarations")
            elif request.POST.get("step") == "contact":
                contact_form = forms.ContactForm(request.POST, prefix="contact", school=user.school)
                if contact_form.is_valid():
                    actions.declare_contact(user, **contact_form.cleaned_data)
                    messages.success(request, "Contact declared (6.4). The AHT Pastoral can see it.")
                    return redirect("staff_declarations")
            elif request.POST.get("step") == "withdraw_family":
                link = get_object_or_404(FamilyLink, pk=request.POST.get("id", "0") or 0, staff=user)
                actions.withdraw_family_member(link, by=user)
                messages.success(request, "Family member removed from your declarations.")
                return redirect("staff_declarations")
            elif request.POST.get("step") == "end_contact":
                found = get_object_or_404(ContactDeclaration, pk=request.POST.get("id", "0") or 0, staff=user)
                actions.end_contact(found, by=user, note=request.POST.get("note", ""))
                messages.success(request, "Contact marked as ended.")
                return redirect("staff_declarations")
        except (actions.StaffActionError, ValueError) as exc:
            messages.error(request, str(exc))
    context = {
        "family": FamilyLink.objects.filter(staff=user).select_related("pupil", "pupil__school"),
        "contacts": ContactDeclaration.objects.filter(staff=user).select_related("pupil"),
        "family_form": family_form,
        "contact_form": contact_form,
    }
    return render(request, "staff/declarations.html", context)


def school_declarations(request: AuthedRequest, school_id: int) -> HttpResponse:
    school = get_object_or_404(School, pk=school_id)
    access.require(request.user, "staff.view_declarations", school)
    family, contacts = queries.declarations_at(school)
    show_legal = access.can(request.user, "accounts.view_pupil_legal_name", school)
    context = {"school": school, "family": family, "contacts": contacts, "show_legal": show_legal}
    return render(request, "staff/school_declarations.html", context)


# --- Leaving (6.7) ---------------------------------------------------------------------------------------------


def people(request: AuthedRequest) -> HttpResponse:
    schools = [s for s in acknowledgement_schools(request.user) if access.can(request.user, "staff.record_leaving", s)]
    if not schools:
        access.require(request.user, "staff.record_leaving", None)
        raise Http404
    wanted = request.GET.get("school", "")
    school = next((s for s in schools if str(s.pk) == wanted), None)
    if wanted and school is None:
        raise Http404("No such school")
    school = school or next((s for s in schools if s.pk == request.user.school_id), schools[0])
    return render(request, "staff/people.html", {"schools": schools, "school": school, "staff": staff_of(school)})


@require_http_methods(["GET", "POST"])
def leaving(request: AuthedRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User.objects.select_related("school"), pk=user_id, kind=Kind.STAFF)
    if person.school is None:
        raise Http404
    access.require(request.user, "staff.record_leaving", person.school)
    form = forms.LeavingForm(request.POST or None, initial={"ends_on": person.employment_ends_on})
    if request.method == "POST" and form.is_valid():
        actions.record_leaving_date(person, form.cleaned_data["ends_on"], by=request.user)
        messages.success(request, f"Leaving date recorded for {person}. They have been reminded of clause 6.7.")
        return redirect(f"/staff/people/?school={person.school_id}")
    return render(request, "staff/leaving.html", {"person": person, "form": form})


# --- Personal webspace check (6.1, 6.8–6.10, 6.12, 6.15): nothing stored, nothing logged -------------------------


@never_cache
@sensitive_variables("text")
@sensitive_post_parameters("text")
@require_http_methods(["GET", "POST"])
def personal_check(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "staff.personal_check")
    form = forms.PersonalCheckForm(request.POST or None)
    rows: list[dict[str, Any]] | None = None
    advice: list[str] = []
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        school = request.user.school or School.objects.order_by("pk").first()
        findings = screening.screen_personal(text, school=school, author=request.user) if school else []
        rows = screening.as_rows(findings, text)
        advice = advice_for(sorted({c for row in rows for c in row["clauses"]}))
    response = render(
        request, "staff/personal_check.html", {"form": form, "rows": rows, "advice": advice, "general": GENERAL}
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Official posts (A.3.4, A.4) -------------------------------------------------------------------------------


@never_cache
@sensitive_variables("text", "payload")
@require_POST
def screen_json(request: AuthedRequest) -> JsonResponse:
    """Findings for draft text as it is typed (progressive enhancement of the post form): nothing is stored."""
    try:
        payload = json.loads(request.body or b"{}")
        text = str(payload.get("text", ""))[:20_000]
        site_id = int(payload.get("site", 0))
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"error": "Send JSON with the draft text and the site."}, status=400)
    from custos.sites.models import Site

    site = Site.objects.select_related("school").filter(pk=site_id).first()
    if site is None or not access.can(request.user, "staff.draft_post", site):
        return JsonResponse({"error": "No such site."}, status=404)
    rows = screening.as_rows(screening.screen_post(text, site=site, author=request.user), text)
    response = JsonResponse({"findings": rows})
    response["Cache-Control"] = "no-store"
    return response


def posts(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "staff.declare")
    from custos.sites.queries import postable_sites

    mine = list(queries.posts_for(request.user)[:200])
    sites = list(postable_sites(request.user.school).select_related("school")) if request.user.school else []
    to_decide = [p for p in mine if p.state == PostState.SUBMITTED and p.author_id != request.user.pk]
    context = {"posts": mine, "sites": sites, "to_decide": to_decide}
    return render(request, "staff/posts.html", context)


def _findings_for_form(form: forms.PostForm, site: Any, user: User) -> list[dict[str, Any]] | None:
    if not form.is_bound or not form.is_valid():
        return None
    text = f"{form.cleaned_data['title']}\n{form.cleaned_data['body']}"
    return screening.as_rows(screening.screen_post(text, site=site, author=user), text)


@require_http_methods(["GET", "POST"])
def post_new(request: AuthedRequest, site_id: int) -> HttpResponse:
    from custos.sites.models import Site
    from custos.sites.queries import postable_sites

    site = get_object_or_404(Site.objects.select_related("school"), pk=site_id)
    access.require(request.user, "staff.draft_post", site)
    if not postable_sites(site.school).filter(pk=site.pk).exists():
        raise Http404("This site is not approved for posts.")
    form = forms.PostForm(request.POST or None, initial={"author_position": request.user.job_title})
    findings = _findings_for_form(form, site, request.user)
    if request.method == "POST" and form.is_valid() and request.POST.get("step") == "save":
        try:
            post = actions.start_post(site, author=request.user, **form.cleaned_data)
        except actions.StaffActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Draft saved. Add images if you need them, then send it for approval.")
            return redirect("staff_post", post.pk)
    return render(request, "staff/post_form.html", {"form": form, "site": site, "findings": findings, "post": None})


@require_http_methods(["GET", "POST"])
def post_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    post = queries.get_post_for(request.user, pk, "staff.edit_post")
    initial = {"title": post.title, "body": post.body, "author_position": post.author_position}
    form = forms.PostForm(request.POST or None, initial=initial)
    findings = _findings_for_form(form, post.site, request.user)
    if request.method == "POST" and form.is_valid() and request.POST.get("step") == "save":
        try:
            actions.edit_post(post, by=request.user, **form.cleaned_data)
        except actions.StaffActionError as exc:
            form.add_error(None, str(exc))
        else:
            if post.state == PostState.SUBMITTED and post.submitted_at:
                messages.success(request, "Saved. The post changed, so it has gone back for approval (A.3.4).")
            else:
                messages.success(request, "Saved.")
            return redirect("staff_post", post.pk)
    context = {"form": form, "site": post.site, "findings": findings, "post": post}
    return render(request, "staff/post_form.html", context)


@require_http_methods(["GET", "POST"])
def post_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    post = queries.get_post_for(request.user, pk)
    user = request.user
    image_form = forms.ImageForm(prefix="image")
    posted_form = forms.PostedForm(prefix="posted")
    decision_form = forms.DecisionForm(prefix="decide")
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            outcome = _post_action(request, post, step)
        except actions.StaffActionError as exc:
            messages.error(request, str(exc))
        else:
            if isinstance(outcome, HttpResponse):
                return outcome
            image_form, posted_form, decision_form = outcome
    post.refresh_from_db()  # an action above may have moved it on
    live = actions.live_approvals(post)
    may_edit = access.can(user, "staff.edit_post", post)
    context = {
        "post": post,
        "images": post.images.all(),
        "approvals": PostApproval.objects.filter(post=post).select_related("approver"),
        "steps": actions.open_steps_for(user, post, live),
        "my_approval": next((a for a in live if a.approver_id == user.pk), None),
        "findings": _findings_for_page(post, may_edit),
        "may_edit": may_edit,
        "may_record_posted": access.can(user, "staff.record_posted", post),
        "image_form": image_form,
        "posted_form": posted_form,
        "decision_form": decision_form,
    }
    return render(request, "staff/post_detail.html", context)


def _findings_for_page(post: Any, may_edit: bool) -> list[dict[str, Any]] | None:
    """What the check finds. For the author of a draft or returned post: the text as it is now, so the marks
    "Must change" are there when they are asked to change them (A.4); otherwise what was found when it was sent."""
    if may_edit and post.state in (PostState.DRAFT, PostState.RETURNED):
        return actions.check_post(post)
    return post.findings or None


def _post_action(request: AuthedRequest, post: Any, step: str) -> Any:
    user = request.user
    image_form = forms.ImageForm(prefix="image")
    posted_form = forms.PostedForm(prefix="posted")
    decision_form = forms.DecisionForm(prefix="decide")
    if step in ("submit", "withdraw", "add_image", "remove_image"):
        access.require(user, "staff.edit_post", post)
    if step == "submit":
        actions.submit_post(post, by=user)
        messages.success(request, "Sent to the Head of School and ICT Manager for approval (A.3.4).")
    elif step == "withdraw":
        actions.withdraw_post(post, by=user)
        messages.success(request, "Post withdrawn.")
    elif step == "add_image":
        image_form = forms.ImageForm(request.POST, request.FILES, prefix="image")
        if not image_form.is_valid():
            return image_form, posted_form, decision_form
        actions.add_image(
            post, image=image_form.cleaned_data["image"], alt_text=image_form.cleaned_data["alt_text"], by=user
        )
        messages.success(request, "Image added.")
    elif step == "remove_image":
        image = get_object_or_404(PostImage, pk=request.POST.get("image", "0") or 0, post=post)
        actions.remove_image(image, by=user)
        messages.success(request, "Image removed.")
    elif step in ("approve", "return"):
        decision_form = forms.DecisionForm(request.POST, prefix="decide")
        if not decision_form.is_valid():
            raise actions.StaffActionError("Use the buttons on this page to decide.")
        data = decision_form.cleaned_data
        if step == "approve":
            actions.approve_post(post, by=user, step=data["step"], seen_sha256=data["seen"], comment=data["comment"])
            messages.success(request, "Approved (A.3.4).")
        else:
            actions.return_post(post, by=user, step=data["step"], reason=data["comment"])
            messages.success(request, "Returned to the author with your comment.")
    elif step == "posted":
        access.require(user, "staff.record_posted", post)
        posted_form = forms.PostedForm(request.POST, prefix="posted")
        if not posted_form.is_valid():
            return image_form, posted_form, decision_form
        actions.record_posted(post, by=user, where=posted_form.cleaned_data["where"])
        messages.success(request, "Recorded who posted it, where and when.")
    else:
        raise actions.StaffActionError("Choose one of the actions on this page.")
    return redirect("staff_post", post.pk)
