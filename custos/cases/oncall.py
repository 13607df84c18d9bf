"""The on-call rota and urgent alerts (A.2.3 "immediately"): every write, each atomic with its audit event.

A case at immediate risk (a screening ``escalate`` finding, or a concern marked "a child may be at risk now")
alerts the person on call at once, on the wall clock, day or night, on every channel they have (``custos.notify``).
Each rung of the ladder has ``CaseSettings.alert_ack_minutes`` (15 by default) to acknowledge before the next is
alerted: the next person on the rota, then the Head, then the Executive Headteacher. Each step is recorded once
(``AlertStep`` unique on alert + step), in the chronology and the audit log. These writes live beside
``actions.py`` rather than in it because that module is already long; ``actions.open_case`` and
``actions.acknowledge`` call in here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from custos.accounts import access
from custos.accounts.models import Role, School, Trust, User
from custos.audit.actions import record
from custos.cases import cover
from custos.cases.models import Alert, AlertReason, AlertStep, Case, Entry, EntryKind, OnCallShift, Status
from custos.notify.actions import queue as queue_notification
from custos.tasks.registry import enqueue

ON_CALL_ROLES = (Role.DSL, Role.DEPUTY_DSL)
MAX_SHIFT = dt.timedelta(days=14)
MAX_REPEAT_WEEKS = 26
# A handover a few minutes late is not a gap in cover worth waking the DSL's "Waiting for me" for.
MINIMUM_GAP = dt.timedelta(minutes=5)
LOOK_AHEAD = dt.timedelta(days=7)


class RotaError(ValueError):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _label(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if getattr(user, "pk", None) else "Custos (automatic)"


def _at(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M on %a %d/%m/%Y}"


# --- the rota ----------------------------------------------------------------------------------------------


def eligible_people(trust: Trust, school: School | None) -> list[User]:
    """Who may be put on call: the school's DSL and deputies; for the Trust's fallback, any DSL or deputy in the
    Trust or the Executive Headteacher."""
    from custos.accounts.models import Kind, RoleAssignment

    roles = RoleAssignment.objects.current()
    if school is not None:
        ids = roles.filter(role__in=ON_CALL_ROLES).filter(Q(school=school) | Q(school__isnull=True))
    else:
        ids = roles.filter(Q(role__in=ON_CALL_ROLES) | Q(role=Role.EXECUTIVE_HEADTEACHER)).filter(
            Q(school__trust=trust) | Q(school__isnull=True)
        )
    return list(
        User.objects.filter(pk__in=ids.values("user_id"), is_active=True, kind=Kind.STAFF).order_by(
            "last_name", "first_name", "pk"
        )
    )


def add_shift(
    trust: Trust,
    *,
    school: School | None,
    person: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    position: int = 1,
    repeat_weeks: int = 1,
    by: User,
) -> list[OnCallShift]:
    """Put ``person`` on call (A.2.3); ``repeat_weeks`` > 1 adds the same shift that many weeks running.
    Only the school's DSL edits its rota; only the Executive Headteacher edits the Trust's fallback."""
    access.require(by, "cases.edit_rota", school)
    if school is not None and school.trust_id != trust.pk:
        raise PermissionDenied
    if ends_at <= starts_at:
        raise RotaError("The shift must end after it starts.", field="ends_at")
    if ends_at - starts_at > MAX_SHIFT:
        raise RotaError("A shift is at most 14 days long: split it, or repeat it weekly.", field="ends_at")
    if ends_at <= timezone.now():
        raise RotaError("That shift has already ended. Check the dates.", field="ends_at")
    if position not in range(1, 10):
        raise RotaError("Choose who is asked first (1), second (2), and so on.", field="position")
    if repeat_weeks not in range(1, MAX_REPEAT_WEEKS + 1):
        raise RotaError(f"Repeat it for 1 to {MAX_REPEAT_WEEKS} weeks.", field="repeat_weeks")
    if person not in eligible_people(trust, school):
        where = school.name if school is not None else "the Trust"
        raise RotaError(
            f"{person} cannot be on call for {where}: only its Designated Safeguarding Lead and deputies can"
            + (" (or the Executive Headteacher)." if school is None else "."),
            field="person",
        )
    week = dt.timedelta(weeks=1)
    with transaction.atomic():
        shifts = [
            OnCallShift.objects.create(
                trust=trust,
                school=school,
                person=person,
                starts_at=starts_at + n * week,
                ends_at=ends_at + n * week,
                position=position,
                created_by=by,
            )
            for n in range(repeat_weeks)
        ]
        record(
            by,
            "cases.on_call_added",
            shifts[0],
            changes={
                "school": school.pk if school else None,
                "person": person.pk,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "weeks": repeat_weeks,
                "position": position,
                "clause": "A.2.3",
            },
        )
    return shifts


def remove_shift(shift_id: int, *, by: User) -> None:
    with transaction.atomic():
        shift = OnCallShift.objects.select_for_update(of=("self",)).filter(pk=shift_id).select_related("school").first()
        if shift is None:
            raise RotaError("That shift was already removed (perhaps by someone else). Nothing changed.")
        access.require(by, "cases.edit_rota", shift.school)
        record(
            by,
            "cases.on_call_removed",
            shift,
            changes={"person": shift.person_id, "starts_at": shift.starts_at, "ends_at": shift.ends_at},
        )
        shift.delete()


def shifts_for(school: School, start: dt.datetime, end: dt.datetime) -> list[cover.Shift]:
    """The school's shifts and the Trust's fallback shifts overlapping [start, end)."""
    rows = OnCallShift.objects.filter(trust_id=school.trust_id, starts_at__lt=end, ends_at__gt=start).filter(
        Q(school=school) | Q(school__isnull=True)
    )
    return [
        cover.Shift(r.person_id, r.starts_at, r.ends_at, r.position, trust_wide=r.school_id is None)
        for r in rows.only("person_id", "starts_at", "ends_at", "position", "school_id")
    ]


def keeps_a_rota(school: School) -> bool:
    """Whether the school or its Trust has put anyone on call yet (any shift, past or future)."""
    return (
        OnCallShift.objects.filter(trust_id=school.trust_id).filter(Q(school=school) | Q(school__isnull=True)).exists()
    )


def gaps_ahead(school: School, now: dt.datetime | None = None) -> list[cover.Gap]:
    from custos.cases.actions import school_day_for

    now = now or timezone.now()
    end = now + LOOK_AHEAD
    return cover.gaps(now, end, school_day_for(school.trust), shifts_for(school, now, end), minimum=MINIMUM_GAP)


# --- urgent alerts -----------------------------------------------------------------------------------------


def _alert_url(alert: Alert) -> str:
    return settings.SITE_URL + reverse("cases:alert", args=[alert.pk])


def raise_alert(case: Case, *, reason: str, ack_minutes: int) -> Alert:
    """Work out the ladder now (who is on call at this moment) and alert its first rung at once. Runs inside
    ``open_case``'s transaction: the alert, its deliveries and its jobs commit with the case."""
    from custos.cases.actions import role_holders, school_day_for

    now = case.opened_at
    school = case.school
    subjects = list(case.linked_users.values_list("pk", flat=True))
    day = school_day_for(school.trust)
    on_call = cover.on_call_order(shifts_for(school, now, now + dt.timedelta(seconds=1)), now)
    in_school = cover.in_school_hours(now, day)
    rungs, nobody = cover.ladder(
        on_call,
        in_school_fallback=[u.pk for u in role_holders(school, ON_CALL_ROLES)],
        # KCSIE: an allegation against the Head never goes to the Head, whatever the ladder.
        heads=[] if case.against_head else [u.pk for u in role_holders(school, (Role.HEAD_OF_SCHOOL,))],
        executive_heads=[u.pk for u in role_holders(school, (Role.EXECUTIVE_HEADTEACHER,))],
        excluding=subjects,
        fallback_who="the Designated Safeguarding Lead and deputies"
        + (" (in school hours)" if in_school else " (nobody was on call)"),
    )
    alert = Alert.objects.create(
        case=case,
        reason=reason,
        raised_at=now,
        ack_minutes=ack_minutes,
        ladder=[{"who": rung.who, "people": list(rung.people)} for rung in rungs],
        nobody_on_call=nobody and not in_school,
    )
    record(
        None,
        "cases.alert_raised",
        case,
        changes={"alert": alert.pk, "reason": reason, "ladder": alert.ladder, "ack_minutes": ack_minutes},
    )
    _send_step(alert, 1)
    from custos.cases.tasks import cases_alert_tick

    enqueue(cases_alert_tick, delay=dt.timedelta(minutes=ack_minutes, seconds=1), alert_id=alert.pk)
    return alert


def _words(alert: Alert, step: int) -> tuple[str, str]:
    case = alert.case
    school = case.school.name
    subject = f"Urgent: a child may be at risk at {school} ({case.reference})"
    raised = f"{timezone.localtime(alert.raised_at):%H:%M}"
    ack = f"Acknowledge within {alert.ack_minutes} minutes."
    if step == 1:
        text = f"Custos urgent alert {case.reference} at {school}, raised at {raised}. You are on call. {ack}"
    else:
        waited = alert.ack_minutes * (step - 1)
        text = (
            f"Custos urgent alert {case.reference} at {school}, raised at {raised}: nobody has acknowledged it in "
            f"{waited} minutes. Make sure someone deals with it now. {ack}"
        )
    return subject, text


def _send_step(alert: Alert, step: int) -> AlertStep | None:
    """Alert rung ``step``, once; nothing if the alert or the case was acknowledged, or the ladder is done."""
    with transaction.atomic():
        locked = Alert.objects.select_for_update(of=("self",)).select_related("case__school").get(pk=alert.pk)
        if locked.acknowledged_at is not None or locked.case.status != Status.NEW or step > len(locked.ladder):
            return None
        rung = locked.ladder[step - 1]
        people = list(User.objects.filter(pk__in=rung["people"], is_active=True).order_by("pk"))
        try:
            with transaction.atomic():
                sent = AlertStep.objects.create(alert=locked, step=step, who=rung["who"][:100])
        except IntegrityError:
            return None
        sent.notified.set(people)
        names = ", ".join(_label(p) for p in people) or "nobody (no one holds that role)"
        due = locked.step_due(step + 1)
        Entry.objects.create(
            case=locked.case,
            by=None,
            by_label="Custos (automatic)",
            kind=EntryKind.ALERTED,
            text=f"Urgent alert, step {step} ({rung['who']}): {names}, by every channel they have. "
            f"Acknowledge by {_at(due)} (A.2.3).",
        )
        record(
            None,
            "cases.alert_step",
            locked.case,
            changes={"alert": locked.pk, "step": step, "who": rung["who"], "notified": [p.pk for p in people]},
        )
        subject, text = _words(locked, step)
        for person in people:
            queue_notification(
                person,
                key=f"cases.alert:{locked.pk}",
                subject=subject,
                text=text,
                link=_alert_url(locked),
                about=f"cases.alert:{locked.pk}",
            )
    return sent


def climb(alert_id: int, now: dt.datetime | None = None) -> list[AlertStep]:
    """Send every rung that is due and not yet sent; schedule the next. Safe to run any number of times."""
    now = now or timezone.now()
    alert = Alert.objects.select_related("case").filter(pk=alert_id).first()
    if alert is None or alert.acknowledged_at is not None or alert.case.status != Status.NEW:
        return []
    sent = []
    for step in range(1, len(alert.ladder) + 1):
        due = alert.step_due(step)
        if due > now:
            from custos.cases.tasks import cases_alert_tick

            with transaction.atomic():
                enqueue(cases_alert_tick, delay=due - now + dt.timedelta(seconds=1), alert_id=alert.pk)
            break
        done = _send_step(alert, step)
        if done is not None:
            sent.append(done)
    return sent


def climb_all(now: dt.datetime | None = None) -> list[AlertStep]:
    """The safety net run every minute: every alert nobody has acknowledged climbs as far as it is due."""
    now = now or timezone.now()
    waiting = Alert.objects.filter(acknowledged_at__isnull=True, case__status=Status.NEW).values_list("pk", flat=True)
    return [step for pk in list(waiting) for step in climb(pk, now)]


def may_see_alert(user: Any, alert: Alert) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return alert.steps.filter(notified=user).exists() or access.can(user, "cases.view_case", alert.case)


def acknowledge_alert(alert: Alert, *, by: User) -> Alert:
    """ "I am dealing with it": stops the ladder. Anyone the alert reached may say so (a Head who cannot open a
    safeguarding case included); someone who may work the case also acknowledges the case itself."""
    if not alert.steps.filter(notified=by).exists() and not access.can(by, "cases.work_case", alert.case):
        raise PermissionDenied
    with transaction.atomic():
        now = timezone.now()
        won = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=by
        )
        locked = Alert.objects.select_related("case", "acknowledged_by").get(pk=alert.pk)
        if not won:
            from custos.cases.actions import CaseConflict

            raise CaseConflict(
                f"{locked.acknowledged_by or 'Someone'} already acknowledged this alert at "
                f"{timezone.localtime(locked.acknowledged_at):%H:%M}."
            )
        minutes = int((now - locked.raised_at).total_seconds() // 60)
        Entry.objects.create(
            case=locked.case,
            by=by,
            by_label=_label(by),
            kind=EntryKind.ALERT_ACKNOWLEDGED,
            text=f"Urgent alert acknowledged {minutes} minute{'s' if minutes != 1 else ''} after it was raised.",
        )
        record(by, "cases.alert_acknowledged", locked.case, changes={"alert": locked.pk, "minutes": minutes})
        if locked.case.status == Status.NEW and access.can(by, "cases.work_case", locked.case):
            from custos.cases.actions import acknowledge

            acknowledge(locked.case, by=by)
    return locked


def stop_alert_for(case: Case, *, by: User, at: dt.datetime) -> None:
    """Acknowledging the case acknowledges its alert too (called inside ``actions.acknowledge``)."""
    Alert.objects.filter(case=case, acknowledged_at__isnull=True).update(acknowledged_at=at, acknowledged_by=by)


def immediate_risk_reason(*, at_risk_now: bool, details: dict[str, Any] | None) -> str:
    """Why a case must alert now, or "" if it need not: a concern marked at risk now, or a screening finding of
    severity ``escalate`` (A.2.3, A.5.6)."""
    if at_risk_now:
        return AlertReason.AT_RISK_NOW
    findings = (details or {}).get("findings") or []
    if any(isinstance(f, dict) and f.get("severity") == "escalate" for f in findings):
        return AlertReason.SCREENING
    return ""
