"""All REST endpoints, by domain; the schema and its docs are served from local files."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from linli.appeals import api as appeals
from linli.registry import api as registry

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("registry/places/", registry.PlaceListApi.as_view(), name="api-places"),
    path("registry/places/<int:pk>/", registry.PlaceDetailApi.as_view(), name="api-place"),
    path("registry/grids/", registry.GridListApi.as_view(), name="api-grids"),
    path("registry/grids/<int:pk>/", registry.GridDetailApi.as_view(), name="api-grid"),
    path("registry/households/<int:pk>/", registry.HouseholdDetailApi.as_view(), name="api-household"),
    path("registry/residents/", registry.ResidentListCreateApi.as_view(), name="api-residents"),
    path("registry/residents/<int:pk>/", registry.ResidentDetailApi.as_view(), name="api-resident"),
    path("registry/residents/<int:pk>/reveal/", registry.ResidentRevealApi.as_view(), name="api-resident-reveal"),
    path("registry/facilities/", registry.FacilityListApi.as_view(), name="api-facilities"),
    path("registry/organisations/", registry.OrganisationListApi.as_view(), name="api-organisations"),
    path("appeals/", appeals.AppealListCreateApi.as_view(), name="api-appeals"),
    path("appeals/categories/", appeals.CategoryListApi.as_view(), name="api-appeal-categories"),
    path("appeals/<int:pk>/", appeals.AppealDetailApi.as_view(), name="api-appeal"),
] + [path(f"appeals/<int:pk>/{name}/", cls.as_view(), name=f"api-appeal-{name}") for name, cls in appeals.ACTION_APIS.items()]
