from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from linli.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("messages/", core_views.messages_inbox, name="messages"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/", include("linli.registry.urls")),
    path("appeals/", include("linli.appeals.urls")),
    path("councils/", include("linli.councils.urls")),
    path("wishes/", include("linli.wishes.urls")),
    path("api/", include("linli.api.urls")),
    path("open311/v2/", include("linli.appeals.open311_urls")),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
