"""Every change to 为民服务, one module a subject: the catalogue and providers (``catalogue``),
orders 点单—配单—送单 (``orders``), agency cases 全程代办 (``agency``), the canteen 助餐 (``canteen``)
and rooms (``rooms``). Each function is one action: keyword arguments, one transaction, the
permission asked of ``access`` after the row lock, who did it recorded (the audit log with old
and new values; people told through ``core.notify``, sent after commit).

The names are gathered here so that callers write ``services.order_create``; each lives in its
subject's module.
"""

from linli.resident_services.services.agency import MATTERS, case_close, case_document, case_open, case_step_add, case_step_done
from linli.resident_services.services.canteen import CENT, age_on, meal_order, meal_order_cancel, meal_price, meal_publish, meal_serve
from linli.resident_services.services.catalogue import provider_save, service_save
from linli.resident_services.services.common import InvalidState, provider_people, resident_people
from linli.resident_services.services.orders import (
    LOW_RATING,
    MAX_OFFERS,
    order_accept,
    order_accept_by_phone,
    order_cancel,
    order_confirm,
    order_create,
    order_decline,
    order_deliver,
    order_match,
    orders_flag_late,
)
from linli.resident_services.services.rooms import (
    BOOK_AHEAD,
    MAX_BOOKING,
    booking_cancel,
    booking_decide,
    booking_problems,
    overlapping,
    room_book,
    room_save,
)

__all__ = [
    "BOOK_AHEAD",
    "CENT",
    "LOW_RATING",
    "MATTERS",
    "MAX_BOOKING",
    "MAX_OFFERS",
    "InvalidState",
    "age_on",
    "booking_cancel",
    "booking_decide",
    "booking_problems",
    "case_close",
    "case_document",
    "case_open",
    "case_step_add",
    "case_step_done",
    "meal_order",
    "meal_order_cancel",
    "meal_price",
    "meal_publish",
    "meal_serve",
    "order_accept",
    "order_accept_by_phone",
    "order_cancel",
    "order_confirm",
    "order_create",
    "order_decline",
    "order_deliver",
    "order_match",
    "orders_flag_late",
    "overlapping",
    "provider_people",
    "provider_save",
    "resident_people",
    "room_book",
    "room_save",
    "service_save",
]
