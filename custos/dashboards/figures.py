"""The dashboard's figures, each scoped by the owning app's own permission rules and read in a fixed number of
aggregate queries (``annotate``/``Count``), never a query per row.

A figure is a ``Panel``: a chart (optional), the table behind the chart (shown beside it, exported as CSV) and
where each number drills down to. Who sees which panel is decided by the owning apps' rules:

- sites (A.1.6, A.3.2): ``sites.view_inventory`` on the school (Head, Executive Headteacher, ICT Manager, DSL);
- moderation (A.5.3, A.5.4): the site's team, and the school's Head / Executive Headteacher / ICT Manager
  (``sites.decide_as_head`` / ``sites.decide_as_ict`` on the school);
- cases (A.2.3, A.5.6, 6.6, A.3.7, 9.1–9.3): only the cases ``cases.rules.visible_cases_q`` lets the person open;
- acknowledgement (5.1, 10.1): ``policy.queries.acknowledgement_schools`` (HR, Heads, Executive Headteacher);
- monitoring (8.1, 6.13, 6.11): ``monitoring.view_reports`` on the school (HR and the Head), totals only —
  never a person's figures, which stay behind the monitoring app's reason-and-audit page;
- integration tokens and third-party comments (A.5.5): ``api.manage_tokens`` on the school (the ICT Manager).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, Min, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from custos.accounts import access
from custos.accounts.models import Kind, School, User
from custos.api.models import ApiToken, ExternalComment, ExternalCommentState
from custos.cases.models import Status
from custos.cases.queries import cases_for
from custos.cases.types import CASE_TYPES
from custos.community.models import Contribution, ContributionState
from custos.community.queries import spaces
from custos.dashboards.charts import StackedChart, stacked_bar_chart
from custos.monitoring.models import Category, DailyUse, EncyclopaediaEdit
from custos.policy.models import Acknowledgement, PolicyVersion
from custos.policy.queries import acknowledgement_schools
from custos.sites.models import Site, SiteRoleKind, SiteState

UPCOMING_CLOSURE_DAYS = 60
MODERATION_WINDOW_DAYS = 30
MONITORING_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""
    numeric: bool = False


@dataclass
class Panel:
    key: str
    title: str
    clause: str
    headers: list[str]
    rows: list[list[Cell]]
    chart: StackedChart | None = None
    note: str = ""
    list_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def csv_url(self) -> str:
        return reverse("dashboards:export", args=[self.key])


def _url(name: str, args: list[Any] | None = None, **params: Any) -> str:
    base = reverse(name, args=args or [])
    query = {k: v for k, v in params.items() if v not in ("", None)}
    return f"{base}?{urlencode(query)}" if query else base


def _num(value: Any, url: str = "") -> Cell:
    return Cell(str(value if value is not None else 0), url if value else "", numeric=True)


# --- Sites (A.1.6, A.3.2) -------------------------------------------------------------------------------------

# The eight states grouped into five for the chart; the drill-down list accepts a group.
SITE_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "drafting": ("Being drafted or returned", (SiteState.DRAFT, SiteState.RETURNED)),
    "awaiting": ("Awaiting approval", (SiteState.SUBMITTED, SiteState.ICT_APPROVED)),
    "approved": ("Approved, not yet live", (SiteState.APPROVED,)),
    "live": ("Live", (SiteState.LIVE,)),
    "ended": ("Closed or rejected", (SiteState.CLOSED, SiteState.REJECTED)),
}


def site_group_label(group: str) -> str:
    if group == "closing":
        return f"closing in the next {UPCOMING_CLOSURE_DAYS} days"
    return SITE_GROUPS.get(group, ("All states",))[0]


def site_schools(user: User, schools: list[School]) -> list[School]:
    return [school for school in schools if access.can(user, "sites.view_inventory", school)]


def sites_panel(user: User, schools: list[School]) -> Panel | None:
    visible = site_schools(user, schools)
    if not visible:
        return None
    counts: dict[tuple[int, str], int] = {
        (row["school"], row["state"]): row["n"]
        for row in Site.objects.filter(school__in=visible).values("school", "state").annotate(n=Count("pk"))
    }
    group_keys = list(SITE_GROUPS)
    chart_rows = []
    table = []
    for school in visible:
        values = [sum(counts.get((school.pk, state), 0) for state in SITE_GROUPS[g][1]) for g in group_keys]
        urls = [_url("dashboards:sites", school=school.pk, group=g) for g in group_keys]
        chart_rows.append((school.name, values, _url("dashboards:sites", school=school.pk), urls))
        table.append(
            [Cell(school.name, _url("dashboards:sites", school=school.pk))]
            + [_num(v, u) for v, u in zip(values, urls, strict=True)]
        )
    chart = stacked_bar_chart(
        "sites",
        "Official sites by state, per school",
        "Stacked bar chart of official sites per school, by state.",
        [SITE_GROUPS[g][0] for g in group_keys],
        chart_rows,
    )
    today = timezone.localdate()
    closing = list(
        Site.objects.filter(
            school__in=visible,
            state__in=[SiteState.APPROVED, SiteState.LIVE],
            closes_on__gte=today,
            closes_on__lte=today + dt.timedelta(days=UPCOMING_CLOSURE_DAYS),
        )
        .select_related("school")
        .order_by("closes_on", "title")[:20]
    )
    return Panel(
        key="sites",
        title="Official sites",
        clause="A.3.2, A.1.6",
        headers=["School", *(SITE_GROUPS[g][0] for g in group_keys)],
        rows=table,
        chart=chart,
        list_url=_url("dashboards:sites"),
        extra={"closing": closing, "closing_days": UPCOMING_CLOSURE_DAYS, "today": today},
    )


def sites_list(user: User, schools: list[School], *, school: str = "", group: str = "") -> Any:
    visible = site_schools(user, schools)
    qs = Site.objects.filter(school__in=visible).select_related("school", "author")
    if school:
        qs = qs.filter(school_id=school if school.isdigit() else -1)
    if group in SITE_GROUPS:
        qs = qs.filter(state__in=SITE_GROUPS[group][1])
    elif group == "closing":
        today = timezone.localdate()
        qs = qs.filter(
            state__in=[SiteState.APPROVED, SiteState.LIVE],
            closes_on__gte=today,
            closes_on__lte=today + dt.timedelta(days=UPCOMING_CLOSURE_DAYS),
        )
    return qs.order_by("school__name", "state", "title")


# --- Moderation (A.5.3, A.5.4) ---------------------------------------------------------------------------------


def moderation_sites(user: User, schools: list[School]) -> list[Site]:
    leader_schools = [
        s for s in schools if access.can(user, "sites.decide_as_head", s) or access.can(user, "sites.decide_as_ict", s)
    ]
    team = Q(roles__user=user, roles__role__in=[SiteRoleKind.ADMINISTRATOR, SiteRoleKind.MODERATOR])
    return list(
        spaces()
        .filter(state=SiteState.LIVE)
        .filter(Q(school__in=leader_schools) | team)
        .select_related("school")
        .distinct()
        .order_by("school__name", "title")
    )


def _hours(duration: dt.timedelta | None) -> str:
    if duration is None:
        return "—"
    hours = duration.total_seconds() / 3600
    return f"{hours:.1f} h"


def moderation_panel(user: User, schools: list[School]) -> Panel | None:
    sites = moderation_sites(user, schools)
    if not sites:
        return None
    now = timezone.now()
    since = now - dt.timedelta(days=MODERATION_WINDOW_DAYS)
    decided = Q(decided_at__gte=since, decided_by__isnull=False)
    waited = ExpressionWrapper(F("decided_at") - F("created_at"), output_field=DurationField())
    figures = {
        row["site"]: row
        for row in Contribution.objects.filter(site__in=sites)
        .values("site")
        .annotate(
            pending=Count("pk", filter=Q(state=ContributionState.PENDING)),
            oldest=Min("created_at", filter=Q(state=ContributionState.PENDING)),
            decided=Count("pk", filter=decided),
            escalated=Count("pk", filter=Q(state=ContributionState.ESCALATED, decided_at__gte=since)),
            to_decision=Avg(waited, filter=decided),
        )
        .order_by()
    }
    chart_rows = []
    table = []
    for site in sites:
        row = figures.get(site.pk, {})
        url = reverse("dashboards:moderation", args=[site.pk])
        label = f"{site.title} ({site.school.name})"
        pending, done = row.get("pending", 0), row.get("decided", 0)
        chart_rows.append((label, [pending, done], url, [url, url]))
        oldest = row.get("oldest")
        table.append(
            [
                Cell(label, url),
                _num(pending, url),
                Cell(_age(now - oldest) if oldest else "—"),
                _num(done),
                Cell(_hours(row.get("to_decision"))),
                _num(row.get("escalated", 0)),
            ]
        )
    chart = stacked_bar_chart(
        "moderation",
        f"Moderation per site: waiting now and decided in the last {MODERATION_WINDOW_DAYS} days",
        "Stacked bar chart of contributions per site, waiting and decided.",
        ["Waiting for a moderator", f"Decided in the last {MODERATION_WINDOW_DAYS} days"],
        chart_rows,
    )
    return Panel(
        key="moderation",
        title="Moderation",
        clause="A.5.3, A.5.4",
        headers=[
            "Site",
            "Waiting",
            "Oldest waiting",
            f"Decided ({MODERATION_WINDOW_DAYS} days)",
            "Average time to decision",
            f"Escalated ({MODERATION_WINDOW_DAYS} days)",
        ],
        rows=table,
        chart=chart,
    )


def _age(delta: dt.timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


def moderation_site_for(user: User, schools: list[School], pk: int) -> Site:
    from django.http import Http404

    for site in moderation_sites(user, schools):
        if site.pk == pk:
            return site
    raise Http404("No such site")


def moderation_list(site: Site) -> Any:
    """What waits on a site: when, what kind and how severe, never the text (leaders see the figure, moderators
    read the queue itself)."""
    return (
        Contribution.objects.filter(site=site, state=ContributionState.PENDING)
        .only("pk", "kind", "created_at", "severity_rank", "site_id")
        .order_by("created_at", "pk")
    )


# --- Cases (A.2.3, A.5.6, 6.6, A.3.7, 9.1–9.3) ------------------------------------------------------------------


def cases_panel(user: User) -> Panel | None:
    if not access.can(user, "cases.list"):
        return None
    now = timezone.now()
    overdue = Q(status=Status.NEW, due_at__lte=now)
    counts = {
        row["case_type"]: row
        for row in cases_for(user)
        .values("case_type")
        .annotate(
            open=Count("pk", filter=~Q(status=Status.CLOSED)),
            overdue=Count("pk", filter=overdue),
            closed=Count("pk", filter=Q(status=Status.CLOSED)),
        )
        .order_by()
    }
    chart_rows = []
    table = []
    for key, spec in CASE_TYPES.items():
        row = counts.get(key, {})
        open_, late = row.get("open", 0), row.get("overdue", 0)
        urls = [
            _url("dashboards:cases", case_type=key, status="overdue"),
            _url("dashboards:cases", case_type=key, status="open"),
        ]
        label = f"{spec.label} ({spec.clause})"
        chart_rows.append((label, [late, open_ - late], _url("dashboards:cases", case_type=key), urls))
        table.append(
            [
                Cell(label, _url("dashboards:cases", case_type=key)),
                _num(open_, urls[1]),
                _num(late, urls[0]),
                _num(row.get("closed", 0), _url("dashboards:cases", case_type=key, status="closed")),
            ]
        )
    chart = stacked_bar_chart(
        "cases",
        "Cases you may open, by type: overdue and open",
        "Stacked bar chart of open cases per case type, overdue first.",
        ["Overdue (not acknowledged in time)", "Open, on time"],
        chart_rows,
    )
    return Panel(
        key="cases",
        title="Cases",
        clause="A.2.3, A.5.6, 6.6, A.3.7, 9.1–9.3",
        headers=["Case type", "Open", "Overdue", "Closed"],
        rows=table,
        chart=chart,
        note="Only the cases you may open are counted; the people a case is about never see it counted.",
        list_url=_url("dashboards:cases"),
    )


def cases_list(user: User, *, case_type: str = "", status: str = "") -> Any:
    qs = cases_for(user).select_related("school")
    if case_type in CASE_TYPES:
        qs = qs.filter(case_type=case_type)
    if status == "open":
        qs = qs.exclude(status=Status.CLOSED)
    elif status == "overdue":
        qs = qs.filter(status=Status.NEW, due_at__lte=timezone.now())
    elif status == "closed":
        qs = qs.filter(status=Status.CLOSED)
    return qs.only("reference", "case_type", "status", "opened_at", "due_at", "closed_at", "school__name").order_by(
        "due_at", "reference"
    )


# --- Policy acknowledgement (5.1, 10.1) -------------------------------------------------------------------------


def acknowledgement_panel(user: User) -> Panel | None:
    schools = acknowledgement_schools(user)
    if not schools:
        return None
    version = PolicyVersion.objects.filter(is_current=True).first()
    if version is None:
        return Panel("acknowledgement", "Policy acknowledgement", "5.1, 10.1", [], [], note="No policy is in force.")
    today = timezone.localdate()
    confirmed = Acknowledgement.objects.filter(user=OuterRef("pk"), version=version)
    counts = {
        row["school"]: row
        for row in User.objects.filter(kind=Kind.STAFF, is_active=True, school__in=schools)
        .exclude(employment_ends_on__lt=today)
        .annotate(done=Exists(confirmed))
        .values("school")
        .annotate(total=Count("pk"), confirmed=Count("pk", filter=Q(done=True)))
        .order_by()
    }
    chart_rows = []
    table = []
    for school in schools:
        row = counts.get(school.pk, {})
        total, done = row.get("total", 0), row.get("confirmed", 0)
        waiting_url = _url("policy_acknowledgements", school=school.pk, status="waiting")
        done_url = _url("policy_acknowledgements", school=school.pk, status="done")
        chart_rows.append(
            (
                school.name,
                [done, total - done],
                _url("policy_acknowledgements", school=school.pk),
                [done_url, waiting_url],
            )
        )
        percent = f"{round(100 * done / total)}%" if total else "—"
        table.append(
            [
                Cell(school.name, _url("policy_acknowledgements", school=school.pk)),
                _num(total),
                _num(done, done_url),
                _num(total - done, waiting_url),
                Cell(percent, numeric=True),
            ]
        )
    chart = stacked_bar_chart(
        "acknowledgement",
        f"Staff who have confirmed policy {version.label}, per school",
        "Stacked bar chart of staff per school who have and have not confirmed the policy in force.",
        ["Confirmed", "Not yet"],
        chart_rows,
    )
    return Panel(
        key="acknowledgement",
        title=f"Policy acknowledgement (version {version.label})",
        clause="5.1, 10.1",
        headers=["School", "Staff", "Confirmed", "Not yet", "Confirmed %"],
        rows=table,
        chart=chart,
        note="Each number opens the acknowledgement list, which also exports to CSV and sends reminders.",
    )


# --- Monitoring (8.1, 6.13, 6.11) -------------------------------------------------------------------------------


def monitoring_panel(user: User, schools: list[School]) -> Panel | None:
    visible = [s for s in schools if access.can(user, "monitoring.view_reports", s)]
    if not visible:
        return None
    since = timezone.localdate() - dt.timedelta(days=MONITORING_WINDOW_DAYS)
    use = {
        (row["school"], row["category"]): row["requests"]
        for row in DailyUse.objects.filter(school__in=visible, day__gte=since)
        .values("school", "category")
        .annotate(requests=Sum("requests"))
        .order_by()
    }
    edits = {
        row["school"]: row["n"]
        for row in EncyclopaediaEdit.objects.filter(school__in=visible, at__date__gte=since)
        .values("school")
        .annotate(n=Count("pk"))
        .order_by()
    }
    categories = list(Category)
    chart_rows = []
    table = []
    for school in visible:
        values = [use.get((school.pk, c.value), 0) for c in categories]
        report = reverse("monitoring_social_report", args=[school.pk])
        chart_rows.append((school.name, values, report, [report] * len(values)))
        table.append(
            [Cell(school.name, report)]
            + [_num(v) for v in values]
            + [_num(edits.get(school.pk, 0), reverse("monitoring_edits_report", args=[school.pk]))]
        )
    chart = stacked_bar_chart(
        "monitoring",
        f"Social media requests in contracted hours, last {MONITORING_WINDOW_DAYS} days, per school",
        "Stacked bar chart of requests per school by kind of social media; school totals only.",
        [str(c.label) for c in categories],
        chart_rows,
    )
    return Panel(
        key="monitoring",
        title="Internet monitoring (totals only)",
        clause="8.1, 6.13, 6.11",
        headers=["School", *(str(c.label) for c in categories), "Encyclopaedia edits"],
        rows=table,
        chart=chart,
        note="School totals only. A person's figures are shown by the monitoring report, after you state a "
        "reason (it is audited). A request count is not proof of personal use.",
    )


# --- API tokens and third-party comments (A.5.5) -----------------------------------------------------------------

TOKEN_IDLE_DAYS = 90


def api_panel(user: User, schools: list[School]) -> Panel | None:
    visible = [s for s in schools if access.can(user, "api.manage_tokens", s)]
    if not visible:
        return None
    idle_since = timezone.now() - dt.timedelta(days=TOKEN_IDLE_DAYS)
    live = Q(revoked_at__isnull=True)
    used = live & Q(last_used_at__gte=idle_since)
    tokens = {
        row["school"]: row
        for row in ApiToken.objects.filter(school__in=visible)
        .values("school")
        .annotate(used=Count("pk", filter=used), idle=Count("pk", filter=live & ~Q(last_used_at__gte=idle_since)))
        .order_by()
    }
    waiting = {
        row["site__school"]: row["n"]
        for row in ExternalComment.objects.filter(site__school__in=visible, state=ExternalCommentState.PENDING)
        .values("site__school")
        .annotate(n=Count("pk"))
        .order_by()
    }
    tokens_url = reverse("api:tokens")
    chart_rows = []
    table = []
    for school in visible:
        row = tokens.get(school.pk, {})
        values = [row.get("used", 0), row.get("idle", 0)]
        chart_rows.append((school.name, values, tokens_url, [tokens_url, tokens_url]))
        table.append([Cell(school.name, tokens_url), _num(values[0]), _num(values[1]), _num(waiting.get(school.pk, 0))])
    chart = stacked_bar_chart(
        "api",
        "Integration tokens in use, per school",
        f"Stacked bar chart of unrevoked tokens per school: used in the last {TOKEN_IDLE_DAYS} days, and idle.",
        [f"Used in the last {TOKEN_IDLE_DAYS} days", f"Not used for {TOKEN_IDLE_DAYS} days: revoke?"],
        chart_rows,
    )
    return Panel(
        key="api",
        title="Integration tokens and third-party comments",
        clause="A.5.5",
        headers=["School", "Tokens in use", "Tokens idle", "Third-party comments waiting"],
        rows=table,
        chart=chart,
        list_url=tokens_url,
    )


def panels_for(user: User) -> list[Panel]:
    schools = list(School.objects.all())
    found = [
        sites_panel(user, schools),
        moderation_panel(user, schools),
        cases_panel(user),
        acknowledgement_panel(user),
        monitoring_panel(user, schools),
        api_panel(user, schools),
    ]
    return [panel for panel in found if panel is not None]


def panel_for(user: User, key: str) -> Panel | None:
    schools = list(School.objects.all())
    builders = {
        "sites": lambda: sites_panel(user, schools),
        "moderation": lambda: moderation_panel(user, schools),
        "cases": lambda: cases_panel(user),
        "acknowledgement": lambda: acknowledgement_panel(user),
        "monitoring": lambda: monitoring_panel(user, schools),
        "api": lambda: api_panel(user, schools),
    }
    builder = builders.get(key)
    return builder() if builder else None
