"""All REST endpoints, by domain; the schema and its docs are served from local files."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from linli.appeals import api as appeals
from linli.councils import api as councils
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
    path("councils/", councils.CouncilListApi.as_view(), name="api-councils"),
    path("councils/<int:pk>/topics/", councils.CouncilTopicsApi.as_view(), name="api-council-topics"),
    path("topics/<int:pk>/support/", councils.TopicSupportApi.as_view(), name="api-topic-support"),
    path("votes/<int:pk>/", councils.VoteDetailApi.as_view(), name="api-vote"),
    path("votes/<int:pk>/ballots/", councils.BallotCastApi.as_view(), name="api-vote-cast"),
    path("votes/<int:pk>/close/", councils.VoteCloseApi.as_view(), name="api-vote-close"),
    path("wishes/", councils.WishWallApi.as_view(), name="api-wishes"),
    path("wishes/<int:pk>/claim/", councils.WishClaimApi.as_view(), name="api-wish-claim"),
    path("wishes/<int:pk>/confirm/", councils.WishConfirmApi.as_view(), name="api-wish-confirm"),
    path("wishes/<int:pk>/approve/", councils.WishApproveApi.as_view(), name="api-wish-approve"),
] + [path(f"appeals/<int:pk>/{name}/", cls.as_view(), name=f"api-appeal-{name}") for name, cls in appeals.ACTION_APIS.items()]
