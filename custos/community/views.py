"""Spaces (7.1, A.4, A.5): thin views over ``custos.community.actions``; reads through ``queries``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from custos.accounts import access
from custos.accounts.models import Kind, User
from custos.community import actions, queries, support
from custos.community.forms import (
    ContributionForm,
    DecisionForm,
    InviteForm,
    JoinForm,
    ReportForm,
    StatusForm,
    TermsForm,
)
from custos.community.models import Contribution, ContributionKind, ContributionState, Membership
from custos.community.wording import for_reader
from custos.lib import uploads
from custos.lib.http import AuthedRequest
from custos.moderation.views import rule_options
from custos.sites.models import SiteState

FEED_SIZE = 20


def _feed(request: AuthedRequest, space: queries.Space, before: int | None) -> tuple[list[Contribution], int | None]:
    visible = queries.visible_contributions(request.user, space.site)
    posts = visible.filter(kind=ContributionKind.POST)
    if before:
        posts = posts.filter(pk__lt=before)
    comments = (
        visible.filter(kind=ContributionKind.COMMENT)
        .select_related("author", "author__pupil", "membership", "image")
        .defer("image__data")
    )
    page: list[Contribution] = list(
        posts.select_related("author", "author__pupil", "membership", "image")
        .defer("image__data")
        .prefetch_related(Prefetch("comments", queryset=comments.order_by("created_at"), to_attr="visible_comments"))
        .order_by("-pk")[: FEED_SIZE + 1]
    )
    more = len(page) > FEED_SIZE
    page = page[:FEED_SIZE]
    for item in [*page, *(c for p in page for c in p.visible_comments)]:  # type: ignore[attr-defined]
        item.label = queries.author_label(request.user, space.site, item.author, item.membership)
    return page, (page[-1].pk if more and page else None)


def _official_posts(current: queries.Space) -> list[object]:
    """Approved official staff posts for the site, from the staff app (A.3.4); newest five."""
    from custos.staff.queries import approved_posts_for_site

    return list(approved_posts_for_site(current.site).prefetch_related(None)[:5])


def _ready(request: AuthedRequest, current: queries.Space) -> bool:
    """May contribute now: the space is live, and a member has accepted the Terms of Use (A.4.1)."""
    if current.read_only or not access.can(request.user, "community.contribute", current.site):
        return False
    return current.membership is None or current.membership.has_accepted_terms


def _accepting(request: AuthedRequest, current: queries.Space) -> bool:
    """A member who has not yet accepted the Terms of Use and House Rules is shown them first (A.4.1)."""
    membership = current.membership
    if current.read_only or membership is None or membership.has_accepted_terms:
        return False
    return access.can(request.user, "community.contribute", current.site)


@require_GET
def my_spaces(request: AuthedRequest) -> HttpResponse:
    return render(request, "community/my_spaces.html", {"spaces": queries.spaces_of(request.user)})


@require_GET
def space(request: AuthedRequest, pk: int) -> HttpResponse:
    current = queries.space_for(request.user, pk)
    try:
        before = int(request.GET.get("before", "") or 0) or None
    except ValueError:
        before = None
    posts, next_before = _feed(request, current, before)
    return render(
        request,
        "community/space.html",
        {
            "space": current,
            "site": current.site,
            "posts": posts,
            "next_before": next_before,
            "form": ContributionForm(),
            "terms_form": TermsForm(),
            "may_contribute": access.can(request.user, "community.contribute", current.site),
            "ready_to_contribute": _ready(request, current),
            "official_posts": [] if before else _official_posts(current),
            "my_reports": queries.my_reports(request.user, current.site),
            "accepting": _accepting(request, current),
        },
    )


@require_POST
def contribute(request: AuthedRequest, pk: int) -> HttpResponse:
    current = queries.space_for(request.user, pk)
    access.require(request.user, "community.contribute", current.site)
    form = ContributionForm(request.POST, request.FILES)
    parent = None
    if form.is_valid():
        if form.cleaned_data["parent"]:
            parent = (
                queries.visible_contributions(request.user, current.site).filter(pk=form.cleaned_data["parent"]).first()
            )
            if parent is None:
                raise Http404("No such post")
        try:
            sent = actions.contribute(
                current.site,
                by=request.user,
                body=form.cleaned_data["body"],
                parent=parent,
                image=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
            )
        except actions.RateLimited as error:
            message = for_reader(request.user, str(error))
            return render(request, "community/error.html", {"site": current.site, "message": message}, status=429)
        except actions.CommunityError as error:
            form.add_error(None, for_reader(request.user, str(error)))
        else:
            if support.needs_signposting(sent):
                messages.success(request, "Thank you. Only you can see it for now: a member of staff will read it.")
                return redirect("community:help", pk=pk)
            thanks = "Thank you. A moderator will check it before anyone else can see it (A.5.3)."
            messages.success(request, for_reader(request.user, thanks))
            return redirect("community:space", pk=pk)
    posts, next_before = _feed(request, current, None)
    context = {"space": current, "site": current.site, "posts": posts, "next_before": next_before, "form": form}
    context.update({"terms_form": TermsForm(), "may_contribute": True, "ready_to_contribute": _ready(request, current)})
    context.update(
        {"my_reports": queries.my_reports(request.user, current.site), "accepting": _accepting(request, current)}
    )
    return render(request, "community/space.html", context, status=400)


@require_GET
def help_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """Where a pupil can get help now (7.4, A.2.3): shown after they send something that shows a safeguarding sign,
    and linked from every space and from their own contribution while it is not on show."""
    current = queries.space_for(request.user, pk)
    return render(request, "community/help.html", {"space": current, "site": current.site})


@require_GET
def help_anywhere(request: AuthedRequest) -> HttpResponse:
    """The same help, reached from a pupil's home page, outside any space (A.2.3)."""
    return render(request, "community/help.html", {"site": None})


@require_GET
def our_rules(request: AuthedRequest) -> HttpResponse:
    """What the policy means for a pupil or external member, in plain words, with the House Rules of each of their
    spaces (A.2.2, A.4.1): the policy itself is written for staff, who read it at /policy/."""
    return render(request, "community/rules.html", {"spaces": queries.spaces_of(request.user)})


@require_POST
def accept_terms(request: AuthedRequest, pk: int) -> HttpResponse:
    current = queries.space_for(request.user, pk)
    form = TermsForm(request.POST)
    if current.membership is None or not form.is_valid():
        problem = "Tick the box to say you accept the Terms of Use and House Rules (A.4.1)."
        messages.error(request, for_reader(request.user, problem))
        return redirect("community:space", pk=pk)
    actions.accept_terms(current.membership, by=request.user)
    messages.success(request, "Thank you: you can now contribute.")
    return redirect("community:space", pk=pk)


@require_GET
def contribution(request: AuthedRequest, pk: int, cid: int) -> HttpResponse:
    current = queries.space_for(request.user, pk)
    item = get_object_or_404(
        queries.visible_contributions(request.user, current.site)
        .select_related("author", "author__pupil", "membership", "image")
        .defer("image__data"),
        pk=cid,
    )
    item.label = queries.author_label(request.user, current.site, item.author, item.membership)  # type: ignore[attr-defined]
    comments = list(
        queries.visible_contributions(request.user, current.site)
        .filter(parent=item)
        .select_related("author", "author__pupil", "membership", "image")
        .defer("image__data")
        .order_by("created_at")
    )
    for comment in comments:
        comment.label = queries.author_label(request.user, current.site, comment.author, comment.membership)  # type: ignore[attr-defined]
    return render(
        request,
        "community/contribution.html",
        {
            "space": current,
            "site": current.site,
            "item": item,
            "comments": comments,
            "report_form": ReportForm(),
            "rule_options": rule_options(current.site.house_rules_list) if current.is_moderator else "",
        },
    )


@require_GET
def image(request: AuthedRequest, pk: int, cid: int) -> HttpResponse:
    """For those who may read the contribution, a redirect to a short-lived link on the media origin (A.5.2)."""
    current = queries.space_for(request.user, pk)
    item = get_object_or_404(
        queries.visible_contributions(request.user, current.site).select_related("image").defer("image__data"), pk=cid
    )
    picture = getattr(item, "image", None)
    if picture is None:
        raise Http404("No image")
    response = redirect(uploads.image_url(picture))
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def report(request: AuthedRequest, pk: int, cid: int) -> HttpResponse:
    current = queries.space_for(request.user, pk)
    item = get_object_or_404(
        queries.visible_contributions(request.user, current.site).filter(state=ContributionState.APPROVED), pk=cid
    )
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.report(item, by=request.user, reason=form.cleaned_data["reason"])
        except actions.CommunityError as error:
            form.add_error(None, for_reader(request.user, str(error)))
        else:
            thanks = "Thank you. A moderator will look at it (A.5.4). You will be told what they decide."
            messages.success(request, for_reader(request.user, thanks))
            return redirect("community:space", pk=pk)
    return render(
        request, "community/report.html", {"space": current, "site": current.site, "item": item, "form": form}
    )


@require_GET
def feed_json(request: AuthedRequest, pk: int) -> JsonResponse:
    """The same feed as JSON, through the same visibility rule (A.5.3)."""
    current = queries.space_for(request.user, pk)
    items = (
        queries.visible_contributions(request.user, current.site)
        .select_related("author", "author__pupil", "membership")
        .order_by("-pk")[:50]
    )
    data = [
        {
            "id": c.pk,
            "kind": c.kind,
            "parent": c.parent_id,
            "state": c.state,
            "author": queries.author_label(request.user, current.site, c.author, c.membership),
            "body": "" if c.state == ContributionState.ESCALATED else c.body,  # with the DSL, not on screen (A.2.3)
            "created_at": c.created_at.isoformat(),
        }
        for c in items
    ]
    return JsonResponse({"space": current.site.title, "contributions": data})


@require_http_methods(["GET", "POST"])
def join(request: AuthedRequest, pk: int) -> HttpResponse:
    """Ask to join: shows only the title, school, Terms of Use and House Rules (A.4.1), never content."""
    site = get_object_or_404(queries.spaces().filter(state=SiteState.LIVE).select_related("school"), pk=pk)
    existing = queries.membership_of(request.user, site)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            actions.request_to_join(
                site, by=request.user, reason=form.cleaned_data["reason"],
                organisation_name=form.cleaned_data["organisation_name"],
            )  # fmt: skip
        except actions.CommunityError as error:
            form.add_error(None, for_reader(request.user, str(error)))
        else:
            sent = "Your request was sent. The person who vets members will check it (A.5.7)."
            messages.success(request, for_reader(request.user, sent))
            return redirect("community:join", pk=pk)
    return render(request, "community/join.html", {"site": site, "form": form, "existing": existing})


def _may_manage(user: User, site: object) -> bool:
    return any(
        access.can(user, perm, site)
        for perm in ("community.manage_members", "community.vet_members", "community.approve_organisation")
    )


@require_GET
def members(request: AuthedRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(queries.spaces().filter(state=SiteState.LIVE).select_related("school"), pk=pk)
    if not _may_manage(request.user, site):
        raise Http404("No such space")
    rows = list(
        Membership.objects.filter(site=site).select_related("user", "user__pupil").order_by("status", "pseudonym")
    )
    member_ids = {m.user_id for m in rows}
    roster = (
        User.objects.filter(school=site.school, is_active=True, kind__in=[Kind.STAFF, Kind.PUPIL])
        .exclude(pk__in=member_ids)
        .select_related("pupil")
        .order_by("kind", "pupil__year_group", "last_name", "first_name")
    )
    return render(
        request,
        "community/members.html",
        {
            "site": site,
            "rows": rows,
            "invite_form": InviteForm(queryset=roster, site=site),
            "may_manage": access.can(request.user, "community.manage_members", site),
            "may_vet": access.can(request.user, "community.vet_members", site),
            "may_head": access.can(request.user, "community.approve_organisation", site),
            "decision_form": DecisionForm(),
            "status_form": StatusForm(),
        },
    )


@require_POST
def invite(request: AuthedRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(queries.spaces().filter(state=SiteState.LIVE), pk=pk)
    if not access.can(request.user, "community.manage_members", site):
        raise Http404("No such space")
    roster = User.objects.filter(school=site.school_id).select_related("pupil")
    form = InviteForm(request.POST, queryset=roster, site=site)
    if not form.is_valid():
        messages.error(request, "Choose at least one person from the school's roster.")
        return redirect("community:members", pk=pk)
    try:
        added = actions.invite(site, by=request.user, users=form.cleaned_data["people"])
    except actions.CommunityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{len(added)} added. They accept the Terms of Use before contributing (A.4.1).")
    return redirect("community:members", pk=pk)


def _membership(request: AuthedRequest, pk: int, mid: int) -> Membership:
    site = get_object_or_404(queries.spaces().filter(state=SiteState.LIVE), pk=pk)
    if not _may_manage(request.user, site):
        raise Http404("No such space")
    return get_object_or_404(Membership.objects.select_related("site", "site__school", "user"), site=site, pk=mid)


@require_POST
def member_action(request: AuthedRequest, pk: int, mid: int, what: str) -> HttpResponse:
    membership = _membership(request, pk, mid)
    try:
        if what in ("vet", "head"):
            form = DecisionForm(request.POST)
            if not form.is_valid():
                raise actions.CommunityError("Choose approve or decline.")
            ok, notes = form.cleaned_data["decision"] == "approve", form.cleaned_data["notes"]
            if what == "vet":
                actions.vet(membership, by=request.user, approve=ok, notes=notes)
            else:
                actions.decide_organisation(membership, by=request.user, approve=ok, notes=notes)
        elif what == "status":
            status = StatusForm(request.POST)
            if not status.is_valid():
                raise actions.CommunityError("Choose what to do and give the reason (A.5.7).")
            actions.change_status(
                membership, by=request.user, to=status.cleaned_data["to"], reason=status.cleaned_data["reason"]
            )
        elif what == "pseudonym":
            actions.set_pseudonym(membership, by=request.user, pseudonym=request.POST.get("pseudonym", ""))
        else:
            raise Http404("No such action")
    except PermissionDenied:
        raise
    except actions.CommunityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Saved.")
    return redirect("community:members", pk=pk)
