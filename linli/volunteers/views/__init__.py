"""The volunteering pages, one module a subject: the volunteer's own pages (``own``), activities with their QR
(``activities``), staff's management of volunteers, teams, rules, honours and figures (``manage``), the merchant
alliance (``alliance``). Thin: forms give shape, services decide, what a person may not open is a 404.
"""

from linli.volunteers.views.activities import (
    ACTIVITY_ACTIONS,
    SIGNUP_ACTIONS,
    activities,
    activity,
    activity_act,
    activity_new,
    poster,
    scan,
    signup_act,
)
from linli.volunteers.views.alliance import code, merchant, merchant_confirm, offer_code, offer_edit, offer_new, offers, purchases
from linli.volunteers.views.duty import DUTY_ACTIONS, duty, duty_act, duty_manage
from linli.volunteers.views.manage import MANAGE_ACTIONS, figures, honours, manage, manage_act, volunteer, volunteer_act
from linli.volunteers.views.own import certificate, home, ledger, register

__all__ = [
    "ACTIVITY_ACTIONS",
    "DUTY_ACTIONS",
    "MANAGE_ACTIONS",
    "SIGNUP_ACTIONS",
    "activities",
    "activity",
    "activity_act",
    "activity_new",
    "certificate",
    "code",
    "duty",
    "duty_act",
    "duty_manage",
    "figures",
    "home",
    "honours",
    "ledger",
    "manage",
    "manage_act",
    "merchant",
    "merchant_confirm",
    "offer_code",
    "offer_edit",
    "offer_new",
    "offers",
    "poster",
    "purchases",
    "register",
    "scan",
    "signup_act",
    "volunteer",
    "volunteer_act",
]
