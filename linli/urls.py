from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from linli.appeals import views as appeal_views
from linli.core import views as core_views
from linli.core.converters import IdConverter
from linli.portal import views as portal_views

# Registered before the apps' URL maps are included: they use <id:pk>.
register_converter(IdConverter, "id")

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name no icon.
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("", portal_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("messages/", core_views.messages_inbox, name="messages"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/", include("linli.registry.urls")),
    path("appeals/", include("linli.appeals.urls")),
    # The reporter's tracking link: short, for an SMS.
    path("t/<str:number>/<str:signature>/", appeal_views.track, name="track"),
    path("t/<str:number>/<str:signature>/photos/<id:photo_pk>/", appeal_views.track_photo, name="track_photo"),
    path("councils/", include("linli.councils.urls")),
    path("wishes/", include("linli.wishes.urls")),
    path("volunteers/", include("linli.volunteers.urls")),
    path("services/", include("linli.resident_services.urls")),
    path("notices/", include("linli.notices.urls")),
    path("mediation/", include("linli.mediation.urls")),
    path("projects/", include("linli.projects.urls")),
    path("gridwork/", include("linli.gridwork.urls")),
    path("dashboard/", include("linli.dashboard.urls")),
    path("api/", include("linli.api.urls")),
    path("open311/v2/", include("linli.appeals.open311_urls")),
    path("admin/", admin.site.urls),
]
# Uploaded files are never served as /media/: each is served by a view that asks the permission
# of the record it belongs to (appeal photos, wish proofs), in DEBUG as in production.

handler400 = "linli.core.views.bad_request"
handler403 = "linli.core.views.permission_denied"
handler404 = "linli.core.views.page_not_found"
handler500 = "linli.core.views.server_error"
