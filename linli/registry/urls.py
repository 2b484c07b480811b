from django.urls import path

from linli.registry import views, views_structure

app_name = "registry"
urlpatterns = [
    path("places/", views.place_tree, name="places"),
    path("places/<id:pk>/", views.place_tree, name="place"),
    path("grids/", views.grid_list, name="grids"),
    path("grids/new/", views_structure.grid_new, name="grid_new"),
    path("grids/<id:pk>/", views.grid_detail, name="grid"),
    path("grids/<id:pk>/edit/", views_structure.grid_edit, name="grid_edit"),
    path("grids/<id:pk>/buildings/", views_structure.grid_buildings, name="grid_buildings"),
    path("grids/<id:pk>/people/", views_structure.grid_people, name="grid_people"),
    path("organisations/", views_structure.organisations, name="organisations"),
    path("organisations/<id:pk>/", views_structure.organisation_edit, name="organisation"),
    path("party/<id:community_pk>/", views_structure.party, name="party"),
    path("party/<id:community_pk>/add/", views_structure.party_add, name="party_add"),
    path("party/<id:community_pk>/life/", views_structure.party_life, name="party_life"),
    path("party/nodes/<id:pk>/", views_structure.party_node, name="party_node"),
    path("residents/", views.resident_list, name="residents"),
    path("residents/<id:pk>/", views.resident_detail, name="resident"),
    path("residents/<id:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<id:pk>/reveal/<str:field>/", views.resident_reveal, name="resident_reveal"),
    path("households/<id:pk>/", views.household_detail, name="household"),
    path("households/<id:household_pk>/add-resident/", views.resident_edit, name="resident_add"),
    path("import/", views.import_start, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<id:pk>/", views.import_status, name="import_status"),
    path("export.xlsx", views.export_residents, name="export"),
]
