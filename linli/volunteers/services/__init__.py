"""Every change to volunteering, one module a subject: the points rules (``rules``), teams and
volunteers (``people``), activities with QR check-in (``activities``), the hours-and-points ledger
(``ledger``) and the merchant alliance (``alliance``). One function per action: keyword arguments,
one transaction, who may asked of ``access``, who did it recorded (the audit log, or the ledger
entry's actor).

Three races are settled by conditional UPDATEs, the same on SQLite and PostgreSQL: the last places of
an activity (``taken < capacity``), a code confirmed from several devices at once (``status =
issued``), and a balance spent twice at once (``points >= cost``).
"""

from linli.volunteers.services.activities import (
    CHECKIN_EARLY,
    CHECKOUT_LATE,
    TENTH,
    activities_remind,
    activity_cancel,
    activity_check,
    activity_publish,
    activity_sign_up,
    activity_withdraw,
    attendance_tick,
)
from linli.volunteers.services.alliance import CODE_TTL, code_confirm, code_issue, offer_save, purchase_record
from linli.volunteers.services.common import InvalidState
from linli.volunteers.services.duty import duty_check_in, duty_check_out, duty_post_create, duty_shift_assign
from linli.volunteers.services.ledger import _credit, _entry, _move, hours_correct, hours_credit_for_service, points_expire, points_for
from linli.volunteers.services.people import (
    VOLUNTEER_TRANSITIONS,
    VS,
    membership_remove,
    membership_set,
    team_create,
    volunteer_register,
    volunteer_review,
)
from linli.volunteers.services.rules import campaign_create, kind_rule_save, policy_save

__all__ = [
    "CHECKIN_EARLY",
    "CHECKOUT_LATE",
    "CODE_TTL",
    "TENTH",
    "VOLUNTEER_TRANSITIONS",
    "VS",
    "InvalidState",
    "_credit",
    "_entry",
    "_move",
    "activities_remind",
    "activity_cancel",
    "activity_check",
    "activity_publish",
    "activity_sign_up",
    "activity_withdraw",
    "attendance_tick",
    "campaign_create",
    "code_confirm",
    "code_issue",
    "duty_check_in",
    "duty_check_out",
    "duty_post_create",
    "duty_shift_assign",
    "hours_correct",
    "hours_credit_for_service",
    "kind_rule_save",
    "membership_remove",
    "membership_set",
    "offer_save",
    "points_expire",
    "points_for",
    "policy_save",
    "purchase_record",
    "team_create",
    "volunteer_register",
    "volunteer_review",
]
