from django.urls import path

from linli.gridwork import views

app_name = "gridwork"
urlpatterns = [
    path("", views.day, name="day"),
    path("patrols/start/", views.patrol_start, name="patrol_start"),
    path("patrols/<id:pk>/", views.patrol, name="patrol"),
    path("patrols/<id:pk>/end/", views.patrol_end, name="patrol_end"),
    path("findings/place-hint/", views.place_hint, name="place_hint"),
    path("findings/<str:kind>/", views.finding, name="finding"),
    path("visits/", views.visits, name="visits"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<id:pk>/", views.visit_detail, name="visit"),
    path("sentiments/", views.sentiments, name="sentiments"),
    path("grids/<id:grid_pk>/", views.grid_overview, name="grid"),
    path("grids/<id:grid_pk>/forces/", views.forces, name="forces"),
    path("communities/<id:community_pk>/", views.community_overview, name="community"),
    path("communities/<id:community_pk>/settings/", views.settings_page, name="settings"),
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/<id:pk>/", views.round_detail, name="round"),
    path("rounds/<id:pk>/contact/<id:household_pk>/", views.round_contact, name="round_contact"),
]
