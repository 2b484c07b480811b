from django.urls import path

from linli.councils import views

app_name = "councils"
urlpatterns = [
    path("", views.council_list, name="list"),
    path("new/", views.council_new, name="new"),
    path("rules/<id:community_pk>/", views.council_rule, name="rule"),
    path("<id:pk>/", views.council_detail, name="detail"),
    path("<id:pk>/members/", views.council_members, name="members"),
    path("<id:council_pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("<id:pk>/raise/", views.raise_to_council, name="raise"),
    path("topics/<id:pk>/", views.topic_detail, name="topic"),
    path("topics/<id:pk>/<str:action>/", views.topic_act, name="topic_act"),
    path("votes/<id:pk>/<str:action>/", views.vote_act, name="vote_act"),
    path("meetings/<id:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<id:pk>/sign-in/", views.meeting_sign_in, name="sign_in"),
    path("public/<id:community_pk>/", views.public, name="public"),
    path("public/topics/<id:pk>/", views.public_topic, name="public_topic"),
]
