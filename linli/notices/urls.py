from django.urls import path

from linli.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/<id:community_pk>/", views.new, name="new"),
    path("groups/<id:community_pk>/", views.groups, name="groups"),
    path("groups/<id:community_pk>/people/", views.people, name="people"),
    path("<id:pk>/", views.notice, name="notice"),
    path("<id:pk>/unread/", views.unread, name="unread"),
    path("<id:pk>/<str:action>/", views.act, name="act"),
    path("receipts/<id:pk>/told/", views.told, name="told"),
    path("replies/<id:pk>/appeal/", views.reply_appeal, name="reply_appeal"),
    path("r/<id:pk>/<str:signature>/", views.read_link, name="read_link"),
]
