from django.urls import path

from linli.appeals import views

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("inbox/", views.inbox, name="inbox"),
    path("report/", views.report, name="report"),
    path("report/suggest/", views.suggest, name="suggest"),
    path("report/places/", views.places, name="places"),
    path("report/near/", views.places_near, name="near"),
    path("report/code/", views.send_code, name="send_code"),
    path("quick/", views.quick, name="quick"),
    path("verify/", views.verify_phone, name="verify"),
    path("qr/<id:place_pk>/", views.qr_poster, name="qr"),
    path("<id:pk>/", views.status, name="status"),
    path("<id:pk>/support/", views.support, name="support"),
    path("<id:pk>/act/<str:action>/", views.act, name="act"),
    path("<id:pk>/photos/<id:photo_pk>/", views.photo, name="photo"),
    path("board/<id:community_pk>/", views.board, name="board"),
    path("categories/<id:community_pk>/", views.categories, name="categories"),
    path("categories/<id:community_pk>/<id:pk>/", views.categories, name="category_edit"),
]
