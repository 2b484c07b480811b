from django.urls import path

from linli.councils import views

app_name = "councils"
urlpatterns = [
    path("", views.council_list, name="list"),
    path("<int:pk>/", views.council_detail, name="detail"),
    path("<int:council_pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("<int:pk>/raise/", views.raise_to_council, name="raise"),
    path("topics/<int:pk>/", views.topic_detail, name="topic"),
    path("topics/<int:pk>/<str:action>/", views.topic_act, name="topic_act"),
    path("votes/<int:pk>/<str:action>/", views.vote_act, name="vote_act"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/sign-in/", views.meeting_sign_in, name="sign_in"),
    path("public/<int:community_pk>/", views.public, name="public"),
]
