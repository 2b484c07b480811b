"""Who is told what when an appeal changes. Called by services inside their transaction, so
the outbox rows commit (or roll back) with the change itself."""

from django.utils.translation import gettext as _

from linli.appeals.models import Appeal, Assignment
from linli.core import outbox
from linli.core.models import Notification

# Steps the reporter (and everyone who added their voice) hears about.
REPORTER_ACTIONS = {"accept", "reject", "dispatch", "resolve", "reopen", "merge", "escalate"}


def appeal_changed(*, appeal: Appeal, action: str) -> None:
    link = f"/appeals/{appeal.pk}/"
    status = appeal.get_status_display()
    subject = _("诉求%(n)s：%(s)s") % {"n": appeal.number, "s": status}
    if action in REPORTER_ACTIONS:
        body = _("您反映的“%(t)s”%(s)s。") % {"t": appeal.title, "s": status}
        if appeal.reporter_id:
            outbox.queue(
                recipient=appeal.reporter,
                channels=[Notification.Channel.IN_APP, Notification.Channel.WECHAT],
                subject=subject,
                body=body,
                link=link,
            )
        elif appeal.contact_phone:
            outbox.queue(phone=appeal.contact_phone, channels=[Notification.Channel.SMS], subject=subject, body=body, link=link)
        for support in appeal.supports.select_related("user"):
            outbox.queue(recipient=support.user, subject=subject, body=body, link=link)
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


def overdue(*, appeal: Appeal) -> None:
    from linli.accounts.models import Role, RoleAssignment

    subject = _("已超期：%(n)s") % {"n": appeal.number}
    body = _("“%(t)s”已超过办结期限（%(d)s），请督办。") % {"t": appeal.title, "d": _local(appeal.complete_deadline)}
    staff = RoleAssignment.objects.filter(
        place_id=appeal.community_id, role__in=[Role.COMMUNITY_STAFF, Role.PARTY_SECRETARY]
    ).select_related("user")
    for ra in staff:
        outbox.queue(recipient=ra.user, subject=subject, body=body, link=f"/appeals/{appeal.pk}/")


def _local(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
