"""Who a wish tells (through ``core.notify``, in the caller's transaction): the resident whose
wish it is — in the app when they have an account, by SMS to their registered phone otherwise —
and whoever posted it for them (a grid worker for an elderly neighbour), when it is claimed and
when it is fulfilled."""

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core.notify import notify, notify_phone


def _tell(wish, *, subject: str, body: str, actor) -> int:
    accounts = list(User.objects.filter(resident_id=wish.resident_id, is_active=True))
    link = reverse("wishes:detail", args=[wish.pk])
    told = notify([*accounts, wish.posted_by], subject=subject, body=body, link=link, exclude=[actor])
    if not accounts:
        told += notify_phone(wish.resident.phone, subject=subject, body=body)
    return told


def wish_claimed(wish, *, actor) -> int:
    who = wish.claimed_for.name if wish.claimed_for_id else _("爱心人士")
    return _tell(
        wish,
        subject=_("您的微心愿已被认领"),
        body=_("您的心愿“%(t)s”已由%(who)s认领，将在约定时间内为您送达。") % {"t": wish.title, "who": who},
        actor=actor,
    )


def wish_fulfilled(wish, *, actor) -> int:
    return _tell(
        wish,
        subject=_("您的微心愿已送达"),
        body=_("您的心愿“%(t)s”已送达，请确认是否收到。") % {"t": wish.title},
        actor=actor,
    )
