import sys

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not: load balancers take a node out of
    rotation on 503, and the demo script waits for 200."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # any failure means "not answering"
        database = "unavailable"
        connection.close_if_unusable_or_obsolete()
    ok = database == "ok"
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "database": database, "vendor": connection.vendor}, status=200 if ok else 503
    )


def favicon(request):
    # Resolved per request: the fingerprinted name exists only once static files are collected.
    return redirect(static("favicon.svg"), permanent=True)


@login_required
def messages_inbox(request):
    """In-app messages. Opening the page marks them read."""
    from django.core.paginator import Paginator
    from django.utils import timezone

    from linli.core.models import Notification

    qs = Notification.objects.filter(recipient=request.user, channel=Notification.Channel.IN_APP).order_by("-created_at", "-id")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    items = list(page)
    # Opening a page marks what it shows as read (not what is on later pages).
    Notification.objects.filter(pk__in=[n.pk for n in items], read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "core/messages.html", {"items": items, "page": page})


# ---- error pages: Chinese pages for people, JSON for the API and Open311 ---------------------------


def _error_response(request, status: int, template: str, message: str):
    from django.http import HttpResponse
    from django.template.loader import render_to_string

    if request.path.startswith("/open311/"):
        return JsonResponse([{"code": status, "description": message}], status=status, safe=False)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    try:
        body = render_to_string(template, {}, request=request)
    except Exception:  # the error page must never fail itself
        body = message
    return HttpResponse(body, status=status)


def _cause(exception):
    """The first database error in an exception's chain, else the exception itself."""
    from django.db import InterfaceError, OperationalError

    seen = exception
    while seen is not None:
        if isinstance(seen, (OperationalError, InterfaceError)):
            return seen
        seen = seen.__cause__ or seen.__context__
    return exception


def bad_request(request, exception=None):
    from django.utils.translation import gettext as _

    from linli.core.middleware import database_unavailable

    # Django reports a session it could not save as "deleted by a concurrent request" (400);
    # when the save failed because the database is down, it is the outage's 503.
    return database_unavailable(request, _cause(exception)) or _error_response(request, 400, "400.html", _("请求有误。"))


def permission_denied(request, exception=None):
    from django.utils.translation import gettext as _

    return _error_response(request, 403, "403.html", _("无权访问。"))


def page_not_found(request, exception=None):
    from django.utils.translation import gettext as _

    return _error_response(request, 404, "404.html", _("未找到。"))


def server_error(request):
    from django.utils.translation import gettext as _

    from linli.core.middleware import database_unavailable

    # Django calls this inside its except block: the exception is the one being handled.
    return database_unavailable(request, _cause(sys.exc_info()[1])) or _error_response(request, 500, "500.html", _("系统出错。"))
