"""All REST endpoints, by domain; the schema and its docs are served from local files."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from linli.appeals import api as appeals
from linli.councils import api as councils
from linli.gridwork import api as gridwork
from linli.mediation import api as mediation
from linli.notices import api as notices
from linli.projects import api as projects
from linli.registry import api as registry
from linli.resident_services import api as services
from linli.volunteers import api as volunteers
from linli.wishes import api as wishes

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script. Swagger
    # UI sets inline styles as it draws, so this one developer page allows inline style (not script).
    path(
        "docs/",
        csp_update({"style-src": [SELF, UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("registry/places/", registry.PlaceListApi.as_view(), name="api-places"),
    path("registry/places/<id:pk>/", registry.PlaceDetailApi.as_view(), name="api-place"),
    path("registry/grids/", registry.GridListApi.as_view(), name="api-grids"),
    path("registry/grids/<id:pk>/", registry.GridDetailApi.as_view(), name="api-grid"),
    path("registry/households/<id:pk>/", registry.HouseholdDetailApi.as_view(), name="api-household"),
    path("registry/residents/", registry.ResidentListCreateApi.as_view(), name="api-residents"),
    path("registry/residents/<id:pk>/", registry.ResidentDetailApi.as_view(), name="api-resident"),
    path("registry/residents/<id:pk>/reveal/", registry.ResidentRevealApi.as_view(), name="api-resident-reveal"),
    path("registry/facilities/", registry.FacilityListApi.as_view(), name="api-facilities"),
    path("registry/organisations/", registry.OrganisationListApi.as_view(), name="api-organisations"),
    path("appeals/", appeals.AppealListCreateApi.as_view(), name="api-appeals"),
    path("appeals/categories/", appeals.CategoryListApi.as_view(), name="api-appeal-categories"),
    path("appeals/<id:pk>/", appeals.AppealDetailApi.as_view(), name="api-appeal"),
    path("councils/", councils.CouncilListApi.as_view(), name="api-councils"),
    path("councils/<id:pk>/topics/", councils.CouncilTopicsApi.as_view(), name="api-council-topics"),
    path("topics/<id:pk>/support/", councils.TopicSupportApi.as_view(), name="api-topic-support"),
    path("votes/<id:pk>/", councils.VoteDetailApi.as_view(), name="api-vote"),
    path("votes/<id:pk>/ballots/", councils.BallotCastApi.as_view(), name="api-vote-cast"),
    path("votes/<id:pk>/close/", councils.VoteCloseApi.as_view(), name="api-vote-close"),
    path("wishes/", wishes.WishWallApi.as_view(), name="api-wishes"),
    path("wishes/<id:pk>/claim/", wishes.WishClaimApi.as_view(), name="api-wish-claim"),
    path("wishes/<id:pk>/confirm/", wishes.WishConfirmApi.as_view(), name="api-wish-confirm"),
    path("wishes/<id:pk>/approve/", wishes.WishApproveApi.as_view(), name="api-wish-approve"),
    path("volunteers/me/", volunteers.VolunteerMeApi.as_view(), name="api-volunteer-me"),
    path("volunteers/activities/", volunteers.ActivityListApi.as_view(), name="api-volunteer-activities"),
    path("volunteers/activities/<id:pk>/signup/", volunteers.ActivitySignUpApi.as_view(), name="api-volunteer-signup"),
    path("volunteers/activities/<id:pk>/withdraw/", volunteers.ActivityWithdrawApi.as_view(), name="api-volunteer-withdraw"),
    path("volunteers/activities/<id:pk>/check/", volunteers.ActivityCheckApi.as_view(), name="api-volunteer-check"),
    path("volunteers/offers/", volunteers.OfferListApi.as_view(), name="api-volunteer-offers"),
    path("volunteers/offers/<id:pk>/code/", volunteers.OfferCodeApi.as_view(), name="api-volunteer-code"),
    path("volunteers/codes/confirm/", volunteers.CodeConfirmApi.as_view(), name="api-volunteer-confirm"),
    path("services/catalogue/", services.CatalogueApi.as_view(), name="api-service-catalogue"),
    path("services/orders/", services.OrdersApi.as_view(), name="api-service-orders"),
    path("services/orders/<id:pk>/", services.OrderApi.as_view(), name="api-service-order"),
    path("services/orders/<id:pk>/accept/", services.OrderAcceptApi.as_view(), name="api-service-accept"),
    path("services/orders/<id:pk>/decline/", services.OrderDeclineApi.as_view(), name="api-service-decline"),
    path("services/orders/<id:pk>/deliver/", services.OrderDeliverApi.as_view(), name="api-service-deliver"),
    path("services/orders/<id:pk>/confirm/", services.OrderConfirmApi.as_view(), name="api-service-confirm"),
    path("services/orders/<id:pk>/cancel/", services.OrderCancelApi.as_view(), name="api-service-cancel"),
    path("services/meals/", services.MealListApi.as_view(), name="api-service-meals"),
    path("services/meals/<id:pk>/order/", services.MealOrderApi.as_view(), name="api-service-meal-order"),
    path("services/rooms/", services.RoomListApi.as_view(), name="api-service-rooms"),
    path("services/rooms/<id:pk>/book/", services.RoomBookApi.as_view(), name="api-service-book"),
    path("notices/", notices.NoticesApi.as_view(), name="api-notices"),
    path("notices/<id:pk>/", notices.NoticeApi.as_view(), name="api-notice"),
    path("notices/<id:pk>/unread/", notices.UnreadApi.as_view(), name="api-notice-unread"),
    path("notices/<id:pk>/remind/", notices.RemindApi.as_view(), name="api-notice-remind"),
    path("notices/<id:pk>/replies/", notices.ReplyApi.as_view(), name="api-notice-reply"),
    path("notices/receipts/<id:pk>/told/", notices.ToldApi.as_view(), name="api-notice-told"),
    path("projects/<id:pk>/", projects.ProjectApi.as_view(), name="api-project"),
    path("projects/signoffs/<id:pk>/decide/", projects.SignoffDecideApi.as_view(), name="api-project-decide"),
    path("mediation/cases/", mediation.CasesApi.as_view(), name="api-mediation-cases"),
    path("mediation/cases/<id:pk>/", mediation.CaseApi.as_view(), name="api-mediation-case"),
    path("gridwork/patrols/", gridwork.PatrolListStartApi.as_view(), name="api-patrols"),
    path("gridwork/patrols/<id:pk>/end/", gridwork.PatrolEndApi.as_view(), name="api-patrol-end"),
    path("gridwork/compliance/", gridwork.ComplianceApi.as_view(), name="api-compliance"),
    path("gridwork/visits/", gridwork.VisitListCreateApi.as_view(), name="api-visits"),
    path("gridwork/visit-targets/", gridwork.VisitTargetsApi.as_view(), name="api-visit-targets"),
    path("gridwork/sentiments/", gridwork.SentimentListCreateApi.as_view(), name="api-sentiments"),
    path("gridwork/rounds/", gridwork.RoundListApi.as_view(), name="api-rounds"),
    path("gridwork/rounds/<id:pk>/", gridwork.RoundDetailApi.as_view(), name="api-round"),
    path("gridwork/rounds/<id:pk>/contacts/", gridwork.RoundContactApi.as_view(), name="api-round-contact"),
] + [path(f"appeals/<id:pk>/{name}/", cls.as_view(), name=f"api-appeal-{name}") for name, cls in appeals.ACTION_APIS.items()]
