"""The daily round of every official site: go live, close, remind before closure, flag neglect (A.1.6) and alert
when fewer than two moderators are available (A.1.5, A.5.4). Idempotent: each notice is recorded and goes once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from custos.audit.actions import record
from custos.sites import actions, queries
from custos.sites.models import NoticeKind, Site, SiteKind, SiteNotice, SiteState

# The moderators must be available today and for this many days ahead, so cover is named before the leave starts.
COVER_LOOKAHEAD_DAYS = 7
REMINDERS = [(1, NoticeKind.CLOSURE_1), (7, NoticeKind.CLOSURE_7), (30, NoticeKind.CLOSURE_30)]


def neglect_after() -> dt.timedelta:
    """How long a live site may go without administrator or moderator activity before it is flagged (A.1.6).
    ``CUSTOS_SITE_NEGLECT_DAYS`` in settings, 28 days when unset."""
    return dt.timedelta(days=int(getattr(settings, "CUSTOS_SITE_NEGLECT_DAYS", 28)))


@dataclass
class Report:
    went_live: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    reminded: list[tuple[int, str]] = field(default_factory=list)
    neglected: list[int] = field(default_factory=list)
    cover_alerts: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.went_live)} went live, {len(self.closed)} closed, {len(self.reminded)} reminders, "
            f"{len(self.neglected)} flagged as neglected, {len(self.cover_alerts)} cover alerts"
        )


def _once(site: Site, kind: str, key: str) -> bool:
    """Record that this notice was sent; False when it already had been."""
    try:
        with transaction.atomic():
            SiteNotice.objects.create(site=site, kind=kind, key=key)
    except IntegrityError:
        return False
    return True


def run(today: dt.date | None = None) -> Report:
    today = today or timezone.localdate()
    report = Report()
    for site in Site.objects.filter(state=SiteState.APPROVED, go_live_on__lte=today).exclude(closes_on__lte=today):
        try:
            actions.go_live(site)
            report.went_live.append(site.pk)
        except actions.Conflict:
            pass
    for site in Site.objects.filter(state__in=[SiteState.APPROVED, SiteState.LIVE], closes_on__lte=today):
        try:
            actions.close_site(site, by=None, automatic=True)
            report.closed.append(site.pk)
        except actions.Conflict:
            pass
    open_sites = Site.objects.filter(state__in=[SiteState.APPROVED, SiteState.LIVE]).select_related("school")
    for site in open_sites:
        _remind_of_closure(site, today, report)
        _check_cover(site, today, report)
    _flag_neglect(report)
    return report


def _remind_of_closure(site: Site, today: dt.date, report: Report) -> None:
    days = site.days_to_closure(today)
    if days is None:
        return
    for threshold, kind in REMINDERS:
        if days <= threshold:
            with transaction.atomic():
                if _once(site, kind, site.closes_on.isoformat()):  # type: ignore[union-attr]
                    record(None, "site.closure_reminder", site, changes={"days": days})
                    actions.tell(
                        [*queries.administrators_of(site), *actions._heads(site)],
                        f"{site.title} closes on {site.closes_on:%d/%m/%Y}",
                        f"{site.title} closes in {days} day{'s' if days != 1 else ''}. Plan its exit (A.1.6); "
                        "to keep it open longer, ask for an extension, which needs a fresh approval. "
                        "When it closes you will be asked to evaluate it against its aims (A.1.7).",
                        actions.link_to(site),
                    )
                    report.reminded.append((site.pk, kind))
            return


def _flag_neglect(report: Report) -> None:
    cutoff = timezone.now() - neglect_after()
    for site in Site.objects.filter(state=SiteState.LIVE, neglected_since=None, last_activity_at__lt=cutoff):
        with transaction.atomic():
            if not Site.objects.filter(pk=site.pk, neglected_since=None).update(neglected_since=timezone.now()):
                continue
            _once(site, NoticeKind.NEGLECT, site.last_activity_at.isoformat())
            record(None, "site.neglected", site, changes={"last_activity_at": site.last_activity_at})
            actions.tell(
                [*queries.administrators_of(site), *actions._heads(site)],
                f"Neglected site: {site.title}",
                f"No administrator or moderator has acted on {site.title} since "
                f"{timezone.localtime(site.last_activity_at):%d/%m/%Y}. A site must not be neglected (A.1.6): "
                "refresh it, or close it.",
                actions.link_to(site),
            )
            report.neglected.append(site.pk)


def _check_cover(site: Site, today: dt.date, report: Report) -> None:
    if site.kind != SiteKind.OWN:
        return
    moderators = queries.moderators_of(site)
    end = today + dt.timedelta(days=COVER_LOOKAHEAD_DAYS)
    available = sorted(queries.available_on(moderators, site.school, today, end).values_list("pk", flat=True))
    open_alerts = SiteNotice.objects.filter(site=site, kind=NoticeKind.COVER, resolved_at=None)
    if len(available) >= 2:
        open_alerts.update(resolved_at=timezone.now())
        return
    key = "available:" + ",".join(map(str, available))
    with transaction.atomic():
        if not _once(site, NoticeKind.COVER, key):
            return
        record(None, "site.cover_needed", site, changes={"available_moderators": available})
        away = [str(user) for user in moderators if user.pk not in available]
        actions.tell(
            [*queries.administrators_of(site), *actions._heads(site)],
            f"Moderator cover needed: {site.title}",
            f"{site.title} will have fewer than two moderators available between {today:%d/%m/%Y} and "
            f"{end:%d/%m/%Y} ({len(available)} available; away or left: {', '.join(away) or 'none'}). "
            "Please name cover so the site stays moderated (A.1.5, A.5.4).",
            actions.link_to(site, "sites:cover"),
        )
        report.cover_alerts.append(site.pk)
