from django.urls import path

from linli.resident_services import views

app_name = "services"
urlpatterns = [
    path("", views.home, name="home"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<id:pk>/", views.order, name="order"),
    path("orders/<id:pk>/<str:action>/", views.order_act, name="order_act"),
    path("photos/<id:pk>/", views.order_photo, name="order_photo"),
    path("desk/<id:community_pk>/", views.desk, name="desk"),
    path("desk/<id:community_pk>/<str:action>/", views.desk_act, name="desk_act"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<id:pk>/", views.case, name="case"),
    path("cases/<id:pk>/<str:action>/", views.case_act, name="case_act"),
    path("canteen/", views.canteen, name="canteen"),
    path("meals/<id:pk>/order/", views.meal_order, name="meal_order"),
    path("meal-orders/<id:pk>/cancel/", views.meal_cancel, name="meal_cancel"),
    path("kitchen/<id:community_pk>/", views.kitchen, name="kitchen"),
    path("kitchen/<id:community_pk>/<str:action>/", views.kitchen_act, name="kitchen_act"),
    path("rooms/", views.rooms, name="rooms"),
    path("rooms/<id:pk>/", views.room, name="room"),
    path("bookings/<id:pk>/<str:action>/", views.booking_act, name="booking_act"),
    path("figures/<id:community_pk>/", views.figures, name="figures"),
]
