from django.urls import path

from linli.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("areas/<id:pk>/", views.area, name="area"),
    path("grids/<id:pk>/", views.grid, name="grid"),
    path("buildings/<id:pk>/", views.building, name="building"),
    path("appeals/", views.figure_appeals, name="appeals"),
    path("definitions/", views.definitions, name="definitions"),
    path("areas/<id:pk>/property/", views.property_page, name="property"),
    path("areas/<id:pk>/reports/", views.reports, name="reports"),
    path("areas/<id:pk>/reports/print/", views.report_print, name="report_print"),
    path("reports/<id:pk>/download/", views.report_download, name="report_download"),
]
