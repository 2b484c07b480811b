from django.urls import path

from linli.appeals import views

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("report/", views.report, name="report"),
    path("report/suggest/", views.suggest, name="suggest"),
    path("quick/", views.quick, name="quick"),
    path("verify/", views.verify_phone, name="verify"),
    path("qr/<int:place_pk>/", views.qr_poster, name="qr"),
    path("<int:pk>/", views.status, name="status"),
    path("<int:pk>/support/", views.support, name="support"),
    path("<int:pk>/act/<str:action>/", views.act, name="act"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("board/<int:community_pk>/", views.board, name="board"),
    path("categories/<int:community_pk>/", views.categories, name="categories"),
    path("categories/<int:community_pk>/<int:pk>/", views.categories, name="category_edit"),
]
