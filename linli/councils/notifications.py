"""Who a council tells, and what (through ``core.notify``, in the caller's transaction): its
current members with an account when a vote opens and when a resolution is published. The
reporters of the appeals a resolution answers are told by the appeals' own service."""

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.notify import notify


def _members(council):
    return [m.user for m in council.members.filter(user__isnull=False).select_related("user")]


def vote_opened(vote, *, actor) -> int:
    topic = vote.topic
    return notify(
        _members(topic.council),
        subject=_("议事会表决：%(t)s") % {"t": topic.title},
        body=_("《%(t)s》已发起表决（%(rule)s），请按时参加表决。") % {"t": topic.title, "rule": vote.rule_label},
        link=reverse("councils:topic", args=[topic.pk]),
        exclude=[actor],
    )


def resolution_published(resolution, *, actor) -> int:
    topic = resolution.topic
    outcome = _("通过") if resolution.adopted else _("不予采纳")
    return notify(
        _members(topic.council),
        subject=_("议事会决议公示：%(t)s") % {"t": topic.title},
        body=_("《%(t)s》决议已公示（%(o)s）：%(d)s") % {"t": topic.title, "o": outcome, "d": resolution.decision[:120]},
        link=reverse("councils:public_topic", args=[topic.pk]),
        exclude=[actor],
    )
