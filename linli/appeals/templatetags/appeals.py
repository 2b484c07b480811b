"""Template pieces of appeals."""

from django import template
from django.utils.translation import gettext_lazy as _

from linli.appeals.models import Status

register = template.Library()

STEPS = [
    ("submitted", _("提交")),
    ("accepted", _("受理")),
    ("dispatched", _("派单")),
    ("in_progress", _("办理")),
    ("resolved", _("办结")),
    ("closed", _("评价")),
]
# Where each status stands on the way.
POSITION = {
    Status.SUBMITTED: 0,
    Status.ACCEPTED: 1,
    Status.DISPATCHED: 2,
    Status.RETURNED: 2,
    Status.ESCALATED: 2,
    Status.IN_PROGRESS: 3,
    Status.REOPENED: 3,
    Status.RESOLVED: 4,
    Status.CLOSED: 5,
}


@register.inclusion_tag("appeals/_stepper.html")
def appeal_stepper(appeal):
    """提交 → 受理 → 派单 → 办理 → 办结 → 评价, the current step marked; a rejected or merged
    appeal ends where it stopped, with its status as the last step."""
    if appeal.status in (Status.REJECTED, Status.MERGED):
        stop = 1 if appeal.status == Status.REJECTED else 0
        steps = [(c, label, "done") for c, label in STEPS[: stop + 1]]
        steps.append((appeal.status, appeal.get_status_display(), "current"))
        return {"steps": steps}
    here = POSITION.get(appeal.status, 0)
    out = []
    for i, (code, label) in enumerate(STEPS):
        state = "done" if i < here else ("current" if i == here else "todo")
        if code == "closed" and appeal.status == Status.CLOSED:
            state = "done"
        out.append((code, label, state))
    return {"steps": out}
