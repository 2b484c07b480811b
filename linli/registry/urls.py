from django.urls import path

from linli.registry import views

app_name = "registry"
urlpatterns = [
    path("places/", views.place_tree, name="places"),
    path("places/<int:pk>/", views.place_tree, name="place"),
    path("grids/", views.grid_list, name="grids"),
    path("grids/<int:pk>/", views.grid_detail, name="grid"),
    path("residents/", views.resident_list, name="residents"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/reveal/<str:field>/", views.resident_reveal, name="resident_reveal"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:household_pk>/add-resident/", views.resident_edit, name="resident_add"),
    path("import/", views.import_start, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_status, name="import_status"),
    path("export.xlsx", views.export_residents, name="export"),
]
