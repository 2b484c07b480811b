from django.urls import path

from linli.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.home, name="home"),
    path("c/<id:community_pk>/", views.project_list, name="list"),
    path("new/<id:community_pk>/", views.new, name="new"),
    path("photos/<id:pk>/<str:which>/", views.photo, name="photo"),
    path("<id:pk>/", views.project, name="project"),
    path("<id:pk>/<str:action>/", views.act, name="act"),
]
