from django.urls import path

from linli.mediation import views

app_name = "mediation"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/<id:community_pk>/", views.new, name="new"),
    path("roster/<id:community_pk>/", views.roster, name="roster"),
    path("figures/<id:place_pk>/", views.figures, name="figures"),
    path("<id:pk>/", views.case, name="case"),
    path("<id:pk>/scan/", views.scan, name="scan"),
    path("<id:pk>/<str:action>/", views.act, name="act"),
]
