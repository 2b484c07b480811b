"""Who is told what when an appeal changes. Called by services inside their transaction, so
the outbox rows commit (or roll back) with the change itself."""

from django.utils.translation import gettext as _

from linli.appeals.models import ACTION_LABELS, Appeal, Assignment
from linli.core.notify import IN_APP_ONLY, URGENT, notify, notify_phone
from linli.registry.vocabulary import grid_leaders_of, staff_of

# Steps the reporter (and everyone who added their voice) hears about.
REPORTER_ACTIONS = {
    "submit",
    "accept",
    "reject",
    "dispatch",
    "resolve",
    "council_resolve",
    "mediation_resolve",
    "project_resolve",
    "reopen",
    "merge",
    "escalate",
}
# Steps those who dispatch in the grid and the community hear about: a handler sent it back or up.
DISPATCHER_ACTIONS = {"return", "escalate"}


def tracking_url(appeal: Appeal) -> str:
    """The reporter's link, absolute for an SMS (LINLI_BASE_URL)."""
    from django.conf import settings
    from django.urls import reverse

    from linli.appeals.access import tracking_signature

    path = reverse("track", args=[appeal.number, tracking_signature(appeal)])
    return settings.LINLI_BASE_URL.rstrip("/") + path


def appeal_changed(*, appeal: Appeal, action: str) -> None:
    link = f"/appeals/{appeal.pk}/"
    status = appeal.get_status_display()
    subject = _("诉求%(n)s：%(s)s") % {"n": appeal.number, "s": status}
    if action in REPORTER_ACTIONS:
        if action == "submit":
            body = _("已收到您反映的“%(t)s”，编号%(n)s。") % {"t": appeal.title, "n": appeal.number}
        else:
            body = _("您反映的“%(t)s”%(s)s。") % {"t": appeal.title, "s": status}
        if appeal.reporter_id:
            if action != "submit":  # the page said so already
                notify([appeal.reporter], subject=subject, body=body, link=link)
        elif appeal.contact_phone and appeal.tracking_salt:
            # Without an account the SMS carries the tracking link; it stands for the reporter,
            # so the row keeps it sealed (encrypted) until sent.
            notify_phone(appeal.contact_phone, subject=subject, body=body + _("查看进度：%(u)s") % {"u": tracking_url(appeal)}, sealed=True)
        if action != "submit":
            notify([s.user for s in appeal.supports.select_related("user")], subject=subject, body=body, link=link, channels=IN_APP_ONLY)
    if action in DISPATCHER_ACTIONS:
        last = appeal.events.filter(action=action).order_by("-id").first()
        body = _("“%(t)s”被%(a)s：%(r)s") % {"t": appeal.title, "a": ACTION_LABELS.get(action, action), "r": last.note if last else ""}
        notify(dispatchers_of(appeal), subject=subject, body=body, link=link, channels=IN_APP_ONLY)
    if action == "add_info":
        body = _("居民对“%(t)s”补充了信息。") % {"t": appeal.title}
        notify(
            _handlers(appeal, [Assignment.State.PENDING, Assignment.State.SIGNED]),
            subject=subject,
            body=body,
            link=link,
            channels=IN_APP_ONLY,
        )
    if action == "dispatch":
        body = _("新派单：%(t)s（%(p)s），请及时签收。") % {"t": appeal.title, "p": appeal.public_place}
        notify(_handlers(appeal, [Assignment.State.PENDING]), subject=subject, body=body, link=link, channels=URGENT)


def _people(assignment: Assignment):
    if assignment.user_id:
        return [assignment.user]
    return [ra.user for ra in assignment.organisation.staff.select_related("user")]


def _handlers(appeal: Appeal, states) -> list:
    """The people answering for the appeal's assignments in these states (a person, or an
    organisation's staff)."""
    people = []
    for a in appeal.assignments.filter(state__in=states).select_related("user", "organisation"):
        people += _people(a)
    return people


def deadline_reminder(*, appeal: Appeal) -> None:
    subject = _("即将超期：%(n)s") % {"n": appeal.number}
    body = _("“%(t)s”将于%(d)s到期，请抓紧办理。") % {"t": appeal.title, "d": _local(appeal.complete_deadline)}
    notify(
        _handlers(appeal, [Assignment.State.PENDING, Assignment.State.SIGNED]),
        subject=subject,
        body=body,
        link=f"/appeals/{appeal.pk}/",
        channels=URGENT,
    )


def dispatchers_of(appeal: Appeal) -> list:
    """The community's staff and the leader of the appeal's grid (and of its parent grid)."""
    users = {u.pk: u for u in staff_of(appeal.community_id)}
    if appeal.grid_id:
        users.update((u.pk, u) for u in grid_leaders_of(appeal.grid_id))
    return list(users.values())


def overdue(*, appeal: Appeal) -> None:
    subject = _("已超期：%(n)s") % {"n": appeal.number}
    body = _("“%(t)s”已超过办结期限（%(d)s），请督办。") % {"t": appeal.title, "d": _local(appeal.complete_deadline)}
    notify(dispatchers_of(appeal), subject=subject, body=body, link=f"/appeals/{appeal.pk}/", channels=IN_APP_ONLY)


def _local(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
