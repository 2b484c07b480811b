from django.urls import path

from linli.wishes import views

app_name = "wishes"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("post/", views.post, name="post"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
    path("wall/<int:community_pk>/", views.wall, name="wall"),
    path("review/<int:community_pk>/", views.review, name="review"),
]
