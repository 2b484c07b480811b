from django.urls import path

from linli.volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("ledger/", views.ledger, name="ledger"),
    path("activities/", views.activities, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<id:pk>/", views.activity, name="activity"),
    path("activities/<id:pk>/poster/", views.poster, name="poster"),
    path("activities/<id:pk>/<str:action>/", views.activity_act, name="activity_act"),
    path("scan/<id:pk>/<str:token>/", views.scan, name="scan"),
    path("signups/<id:pk>/<str:action>/", views.signup_act, name="signup_act"),
    path("v/<id:pk>/", views.volunteer, name="volunteer"),
    path("v/<id:pk>/certificate/", views.certificate, name="certificate"),
    path("v/<id:pk>/<str:action>/", views.volunteer_act, name="volunteer_act"),
    path("manage/<id:community_pk>/", views.manage, name="manage"),
    path("manage/<id:community_pk>/<str:action>/", views.manage_act, name="manage_act"),
    path("honours/<id:community_pk>/", views.honours, name="honours"),
    path("figures/<id:community_pk>/", views.figures, name="figures"),
    path("offers/", views.offers, name="offers"),
    path("offers/<id:pk>/code/", views.offer_code, name="offer_code"),
    path("codes/<id:pk>/", views.code, name="code"),
    path("merchant/", views.merchant, name="merchant"),
    path("merchant/confirm/", views.merchant_confirm, name="merchant_confirm"),
    path("merchant/offers/new/", views.offer_new, name="offer_new"),
    path("merchant/offers/<id:pk>/", views.offer_edit, name="offer_edit"),
    path("purchases/", views.purchases, name="purchases"),
    path("duty/", views.duty, name="duty"),
    path("duty/<id:community_pk>/manage/", views.duty_manage, name="duty_manage"),
    path("duty/shifts/<id:pk>/<str:action>/", views.duty_act, name="duty_act"),
]
