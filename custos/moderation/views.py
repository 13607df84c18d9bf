"""The moderators' queues and decisions (A.5.3, A.5.4, A.5.5, A.5.6): thin views over
``custos.moderation.actions``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST

from custos.accounts import access
from custos.community import queries as community_queries
from custos.community.models import Contribution
from custos.lib.http import AuthedRequest
from custos.moderation import actions, conversations, feedback, queries
from custos.moderation.highlight import segments


def rule_options(rules: list[str], selected: object = None) -> SafeString:
    """The House Rules as <option>s, built once per page (each rule's text escaped by format_html); ``selected``
    keeps a moderator's choice when the page is shown again with an error."""
    chosen = str(selected or "")
    choose = format_html('<option value="">{}</option>', "Choose…")
    return choose + format_html_join(
        "",
        '<option value="{}"{}>{}. {}</option>',
        ((n, SafeString(" selected") if str(n) == chosen else "", n, r[:80]) for n, r in enumerate(rules, 1)),
    )


@dataclass
class Problem:
    """A refused decision shown at its item and in the error summary, with what the moderator typed kept."""

    pk: int
    message: str
    control: str  # "rule", "note" or "why": the control the summary links to
    note: str = ""
    rule: str = ""
    overrule_reason: str = ""
    concern: str = ""
    options: SafeString = field(default_factory=SafeString)
    anchor: str = ""
    report_pk: int | None = None


CONCERN_CHOICES = list(feedback.CONCERN_LABELS.items())
CONTROL_FOR = {"reject": "rule", "remove": "rule", "escalate": "note", "approve": "why"}


def _describe(user: object, item: Contribution) -> str:
    """Names the post for the moderator: its kind, its author as the moderator sees them and its first words."""
    label = community_queries.author_label(user, item.site, item.author, item.membership)
    words = item.body.split()
    start = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
    begins = f" beginning “{start}”" if start else ""
    return f"The {item.get_kind_display().lower()} by {label}{begins}"


@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    sites = queries.moderated_sites(request.user)
    rows = [(site, queries.waiting_count(site)) for site in sites]
    third_party = queries.comment_sites(request.user)
    counts = queries.comment_counts(third_party)
    comment_rows = [(site, counts[site.pk]) for site in third_party]
    return render(
        request, "moderation/index.html", {"rows": rows, "comment_rows": comment_rows, "cap": queries.COUNT_CAP}
    )


def _queue(request: AuthedRequest, site_pk: int, problem: Problem | None = None) -> HttpResponse:
    space = community_queries.space_for(request.user, site_pk)
    if not access.can(request.user, "moderation.view_queue", space.site):
        raise Http404("No such queue")
    page = queries.queue_page(space.site, after=request.GET.get("after"))
    overdue_before = timezone.now() - page.target
    for item in page.items:
        item.label = community_queries.author_label(request.user, space.site, item.author, item.membership)
        item.segments = segments(item.body, item.findings)
        item.overdue = item.created_at < overdue_before
        item.ref = str(item.pk)
    conversations.attach(page.items)
    reports = queries.open_reports(space.site)
    for report in reports:
        c = report.contribution
        c.label = community_queries.author_label(request.user, space.site, c.author, c.membership)  # type: ignore[attr-defined]
    if problem is not None:
        _place(problem, page.items, reports)
    return render(
        request,
        "moderation/queue.html",
        {
            "site": space.site,
            "space": space,
            "page": page,
            "reports": reports,
            "escalated": queries.recently_escalated(space.site),
            "rule_options": rule_options(space.site.house_rules_list),
            "target_hours": int(page.target.total_seconds() // 3600),
            "problem": problem,
            "concern_choices": CONCERN_CHOICES,
        },
        status=400 if problem else 200,
    )


def _place(problem: Problem, items: list[Contribution], reports: list[Any]) -> None:
    """Where on the page the problem is shown: the item waiting for a decision, or the first open report on it."""
    if any(item.pk == problem.pk for item in items):
        problem.anchor = f"q-{problem.control}-{problem.pk}"
        return
    report = next((r for r in reports if r.contribution_id == problem.pk), None)
    if report is not None:
        problem.report_pk = report.pk
        problem.anchor = f"{'resc' if problem.control in ('note', 'concern') else 'rem'}-{problem.control}-{report.pk}"


@require_GET
def queue(request: AuthedRequest, site_pk: int) -> HttpResponse:
    return _queue(request, site_pk)


@require_GET
def item(request: AuthedRequest, pk: int) -> HttpResponse:
    """One contribution as its space's moderators see it, whatever its state: the page a conversation finding
    links each of its messages to (A.2.2, A.5.4). An escalated one shows only that it was escalated (A.5.6)."""
    contribution = queries.queue_item_for(request.user, pk)
    contribution.label = community_queries.author_label(  # type: ignore[attr-defined]
        request.user, contribution.site, contribution.author, contribution.membership
    )
    escalated = contribution.state == "escalated"
    return render(
        request,
        "moderation/item.html",
        {
            "item": contribution,
            "site": contribution.site,
            "escalated": escalated,
            "segments": [] if escalated else segments(contribution.body, contribution.findings),
        },
    )


DONE = {
    "approve": "Approved: members can now see it.",
    "escalate": "Escalated to the safeguarding lead (A.5.6). It will not be posted.",
    "keep": "Kept: the reports were dismissed and the people who reported it were told.",
}


@require_POST
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    item = queries.queue_item_for(request.user, pk)
    what = request.POST.get("action", "")
    note = request.POST.get("note", "")
    rule = request.POST.get("house_rule", "")
    overrule = request.POST.get("overrule_reason", "")
    concern = request.POST.get("concern", "")
    try:
        if what == "approve":
            actions.approve(item, by=request.user, overrule_reason=overrule)
        elif what == "reject":
            actions.reject(item, by=request.user, house_rule=rule, note=note)
        elif what == "escalate":
            actions.escalate(item, by=request.user, note=note, concern=concern)
        elif what == "remove":
            actions.remove(item, by=request.user, house_rule=rule, note=note)
        elif what == "keep":
            actions.dismiss_reports(item, by=request.user)
        else:
            raise actions.ModerationError("Choose approve, reject, escalate, remove or keep.")
    except actions.AlreadyDecided as error:
        messages.warning(request, str(error))
        return redirect("moderation:queue", site_pk=item.site_id)
    except actions.ModerationError as error:
        message = f"{_describe(request.user, item)}: {error}"
        if request.POST.get("origin") == "contribution" or what not in CONTROL_FOR:
            messages.error(request, message)
            if request.POST.get("origin") == "contribution":
                return redirect("community:contribution", pk=item.site_id, cid=item.pk)
            return redirect("moderation:queue", site_pk=item.site_id)
        control = "concern" if isinstance(error, actions.ConcernNeeded) else CONTROL_FOR[what]
        problem = Problem(
            pk=item.pk, message=message, control=control, note=note, rule=rule, overrule_reason=overrule,
            concern=concern, options=rule_options(item.site.house_rules_list, selected=rule),
        )  # fmt: skip
        return _queue(request, item.site_id, problem)
    if what == "approve" and item.severity == "block":
        messages.success(request, "Approved anyway: members can now see it. Your reason is kept in the audit log.")
    elif what in ("reject", "remove"):
        verb = "Not posted" if what == "reject" else "Removed"
        messages.success(request, f"{verb}; the author was told it breaks House Rule {item.house_rule}.")
    else:
        messages.success(request, DONE[what])
    return redirect("moderation:queue", site_pk=item.site_id)


@require_GET
def comments(request: AuthedRequest, site_pk: int) -> HttpResponse:
    """A third-party-hosted site's exported comments waiting for its moderators (A.5.5)."""
    site = queries.comment_site_for(request.user, site_pk)
    page = queries.comment_queue_page(site, after=request.GET.get("after"))
    overdue_before = timezone.now() - page.target
    for item in page.items:
        item.segments = segments(item.body, item.findings)
        item.overdue = item.received_at < overdue_before
        item.ref = str(item.pk)
    conversations.attach(page.items, comments=True)
    return render(
        request,
        "moderation/comments.html",
        {
            "site": site,
            "page": page,
            "escalated": queries.recently_escalated_comments(site),
            "platform": site.host_platform.name if site.host_platform else "the host platform",
            "target_hours": int(page.target.total_seconds() // 3600),
            "concern_choices": CONCERN_CHOICES,
        },
    )


@require_POST
def decide_comment(request: AuthedRequest, pk: int) -> HttpResponse:
    comment = queries.comment_for(request.user, pk)
    what = request.POST.get("action", "")
    try:
        if what == "keep":
            actions.keep_comment(comment, by=request.user)
            done = "Kept: the comment stays up on the host site."
        elif what == "remove":
            confirmed = request.POST.get("confirm_removed") == "yes"
            actions.remove_comment(comment, by=request.user, confirmed=confirmed, note=request.POST.get("note", ""))
            done = "Recorded as removed from the host site."
        elif what == "escalate":
            actions.escalate_comment(
                comment, by=request.user, note=request.POST.get("note", ""), concern=request.POST.get("concern", "")
            )
            done = "Escalated to the safeguarding lead (A.5.6). Remove it on the host site too."
        else:
            raise actions.ModerationError("Choose keep, removed or escalate.")
    except actions.AlreadyDecided as error:
        messages.warning(request, str(error))
    except actions.ModerationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("moderation:comments", site_pk=comment.site_id)
