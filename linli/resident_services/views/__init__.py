"""The 为民服务 pages, one module a subject: home and orders (``orders``), staff's desk (``desk``), agency cases
(``agency``), the canteen (``canteen``), rooms (``rooms``) and figures. Every post goes through a form (shape) and
a service (rules); an invalid post re-renders its page with the reasons and status 400; whatever a person may
not open is a 404, the same as what does not exist.
"""

from linli.resident_services.views.agency import CASE_ACTIONS, case, case_act, case_new
from linli.resident_services.views.canteen import canteen, kitchen, kitchen_act, meal_cancel, meal_order
from linli.resident_services.views.desk import DESK_ACTIONS, desk, desk_act, figures
from linli.resident_services.views.orders import ORDER_ACTIONS, home, order, order_act, order_new, order_photo
from linli.resident_services.views.rooms import BOOKING_ACTIONS, booking_act, room, room_page, rooms

__all__ = [
    "BOOKING_ACTIONS",
    "CASE_ACTIONS",
    "DESK_ACTIONS",
    "ORDER_ACTIONS",
    "booking_act",
    "canteen",
    "case",
    "case_act",
    "case_new",
    "desk",
    "desk_act",
    "figures",
    "home",
    "kitchen",
    "kitchen_act",
    "meal_cancel",
    "meal_order",
    "order",
    "order_act",
    "order_new",
    "order_photo",
    "room",
    "room_page",
    "rooms",
]
