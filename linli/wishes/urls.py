from django.urls import path

from linli.wishes import views

app_name = "wishes"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("post/", views.post, name="post"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/proof/", views.proof, name="proof"),
    path("<id:pk>/<str:action>/", views.act, name="act"),
    path("wall/<id:community_pk>/", views.wall, name="wall"),
    path("review/<id:community_pk>/", views.review, name="review"),
]
