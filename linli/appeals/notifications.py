"""Who is told what when an appeal changes. Called by services inside their transaction, so
the outbox rows commit (or roll back) with the change itself."""

from django.utils.translation import gettext as _

from linli.appeals.models import ACTION_LABELS, Appeal, Assignment
from linli.core import outbox
from linli.core.models import Notification
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
                outbox.queue(
                    recipient=appeal.reporter,
                    channels=[Notification.Channel.IN_APP, Notification.Channel.WECHAT],
                    subject=subject,
                    body=body,
                    link=link,
                )
        elif appeal.contact_phone and appeal.tracking_salt:
            # Without an account the SMS carries the tracking link; it stands for the reporter,
            # so the row keeps it sealed (encrypted) until sent.
            outbox.queue(
                phone=appeal.contact_phone,
                channels=[Notification.Channel.SMS],
                subject=subject,
                body=body + _("查看进度：%(u)s") % {"u": tracking_url(appeal)},
                sealed=True,
            )
        if action != "submit":
            for support in appeal.supports.select_related("user"):
                outbox.queue(recipient=support.user, subject=subject, body=body, link=link)
    if action in DISPATCHER_ACTIONS:
        last = appeal.events.filter(action=action).order_by("-id").first()
        body = _("“%(t)s”被%(a)s：%(r)s") % {"t": appeal.title, "a": ACTION_LABELS.get(action, action), "r": last.note if last else ""}
        for user in dispatchers_of(appeal):
            outbox.queue(recipient=user, subject=subject, body=body, link=link)
    if action == "add_info":
        body = _("居民对“%(t)s”补充了信息。") % {"t": appeal.title}
        for a in appeal.assignments.filter(state__in=[Assignment.State.PENDING, Assignment.State.SIGNED]).select_related(
            "user", "organisation"
        ):
            for user in _people(a):
                outbox.queue(recipient=user, subject=subject, body=body, link=link)
    if action == "dispatch":
        body = _("新派单：%(t)s（%(p)s），请及时签收。") % {"t": appeal.title, "p": appeal.public_place}
        for a in appeal.assignments.filter(state=Assignment.State.PENDING).select_related("user", "organisation"):
            for user in _people(a):
                outbox.queue(
                    recipient=user, channels=[Notification.Channel.IN_APP, Notification.Channel.SMS], subject=subject, body=body, link=link
                )


def _people(assignment: Assignment):
    if assignment.user_id:
        return [assignment.user]
    return [ra.user for ra in assignment.organisation.staff.select_related("user")]


def deadline_reminder(*, appeal: Appeal) -> None:
    subject = _("即将超期：%(n)s") % {"n": appeal.number}
    body = _("“%(t)s”将于%(d)s到期，请抓紧办理。") % {"t": appeal.title, "d": _local(appeal.complete_deadline)}
    for a in appeal.assignments.filter(state__in=[Assignment.State.PENDING, Assignment.State.SIGNED]).select_related(
        "user", "organisation"
    ):
        for user in _people(a):
            outbox.queue(
                recipient=user,
                channels=[Notification.Channel.IN_APP, Notification.Channel.SMS],
                subject=subject,
                body=body,
                link=f"/appeals/{appeal.pk}/",
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
    for user in dispatchers_of(appeal):
        outbox.queue(recipient=user, subject=subject, body=body, link=f"/appeals/{appeal.pk}/")


def _local(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
