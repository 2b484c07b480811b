import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


class ChineseFirstMiddleware:
    """Linli speaks zh-hans unless the user chose another language with the switch.

    A browser's Accept-Language is ignored on purpose: an intranet PC set up in English, or a
    headless test browser, must still show community workers Chinese. The choice is kept in
    Django's language cookie by ``set_language``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


def _machine_client(request) -> bool:
    return request.path.startswith(("/api/", "/open311/"))


def _error(request, status: int, message: str, template: str) -> HttpResponse:
    if request.path.startswith("/open311/"):
        return JsonResponse([{"code": status, "description": message}], status=status, safe=False)
    if _machine_client(request):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(render_to_string(template, {"message": message}, request=request), status=status)


class RejectBadInputMiddleware:
    """A NUL byte in the path, a query parameter or a form field is refused with 400 before any
    view runs: PostgreSQL cannot store or compare it, so otherwise it surfaces as a 500 deep in
    a query. (JSON bodies are checked field by field by the API's serializers.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            bad = self._has_nul(request)
        except MultiPartParserError:
            return _error(request, 400, _("上传的内容格式不正确。"), "400.html")
        if bad:
            return _error(request, 400, _("请求中含有不允许的字符。"), "400.html")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path:
            return True
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return True
        if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return True
        return False


class DatabaseUnavailableMiddleware:
    """While the database is unreachable (a restart, a failover) every request fails fast with a
    clear 503 and a Retry-After, instead of a 500; Django reconnects on the next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return database_unavailable(request, exception)


def database_unavailable(request, exception) -> HttpResponse | None:
    """The 503 for a database that does not answer, or None for any other error. Also asked by
    the 500 handler: a failure outside a view (the session saved after it) is the same outage."""
    if not isinstance(exception, (OperationalError, InterfaceError)):
        return None
    log.warning("database unavailable: %s", type(exception).__name__)
    response = _error(request, 503, _("系统暂时无法访问数据库，请稍后再试。"), "503.html")
    response["Retry-After"] = "5"
    return response


class SessionIdleMiddleware:
    """A session ends after LINLI_SESSION_IDLE_SECONDS without a request. Saving the session on
    every request (SESSION_SAVE_EVERY_REQUEST) would write its row — a transaction of its own —
    on every click and API call; this pushes the expiry forward only when the last push is
    older than LINLI_SESSION_REFRESH_SECONDS, so a session ends between idle − refresh and idle
    seconds after the last request, and an active user writes the row once a minute."""

    KEY = "_linli_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session that exists (a signed-in user, a verified phone): an anonymous visitor's
        # empty session is never created by this.
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if session.modified or now - int(session.get(self.KEY, 0)) >= settings.LINLI_SESSION_REFRESH_SECONDS:
                session[self.KEY] = now
        return response
