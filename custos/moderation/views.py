"""The moderators' queues and decisions (A.5.3, A.5.4, A.5.5, A.5.6): thin views over
``custos.moderation.actions``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST

from custos.accounts import access
from custos.community import queries as community_queries
from custos.lib.http import AuthedRequest
from custos.moderation import actions, queries
from custos.moderation.highlight import segments


def rule_options(rules: list[str]) -> SafeString:
    """The House Rules as <option>s, built once per page (each rule's text escaped by format_html)."""
    choose = format_html('<option value="">{}</option>', "Choose…")
    return choose + format_html_join(
        "", '<option value="{}">{}. {}</option>', ((n, n, r[:80]) for n, r in enumerate(rules, 1))
    )


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


@require_GET
def queue(request: AuthedRequest, site_pk: int) -> HttpResponse:
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
    reports = queries.open_reports(space.site)
    for report in reports:
        c = report.contribution
        c.label = community_queries.author_label(request.user, space.site, c.author, c.membership)  # type: ignore[attr-defined]
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
        },
    )


@require_POST
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    item = queries.queue_item_for(request.user, pk)
    what = request.POST.get("action", "")
    note = request.POST.get("note", "")
    rule = request.POST.get("house_rule")
    try:
        if what == "approve":
            overrule = request.POST.get("overrule_reason", "")
            actions.approve(item, by=request.user, overrule_reason=overrule)
            done = "Approved: members can now see it."
            if item.severity == "block":
                done = "Approved anyway: members can now see it. Your reason is kept in the audit log."
        elif what == "reject":
            actions.reject(item, by=request.user, house_rule=rule, note=note)
            done = f"Not posted; the author was told it breaks House Rule {item.house_rule}."
        elif what == "escalate":
            actions.escalate(item, by=request.user, note=note)
            done = "Escalated to the safeguarding lead (A.5.6). It will not be posted."
        elif what == "remove":
            actions.remove(item, by=request.user, house_rule=rule, note=note)
            done = f"Removed; the author was told it breaks House Rule {item.house_rule}."
        elif what == "keep":
            actions.dismiss_reports(item, by=request.user)
            done = "Kept: the reports were dismissed."
        else:
            raise actions.ModerationError("Choose approve, reject, escalate, remove or keep.")
    except actions.AlreadyDecided as error:
        messages.warning(request, str(error))
        return redirect("moderation:queue", site_pk=item.site_id)
    except actions.ModerationError as error:
        messages.error(request, str(error))
        return redirect("moderation:queue", site_pk=item.site_id)
    messages.success(request, done)
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
    return render(
        request,
        "moderation/comments.html",
        {
            "site": site,
            "page": page,
            "escalated": queries.recently_escalated_comments(site),
            "platform": site.host_platform.name if site.host_platform else "the host platform",
            "target_hours": int(page.target.total_seconds() // 3600),
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
            actions.escalate_comment(comment, by=request.user, note=request.POST.get("note", ""))
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
