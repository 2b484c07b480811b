from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from linli.accounts.scope import Capability, scope_for


@never_cache
def healthz(request):
    """200 with the database's state; load balancers and the demo script poll it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # any failure means "not answering"
        database = "unavailable"
    return JsonResponse({"status": "ok" if database == "ok" else "degraded", "database": database, "vendor": connection.vendor})


@login_required
def home(request):
    scope = scope_for(request.user)
    if scope.has(Capability.DISPATCH_APPEALS) or scope.organisation_ids:
        return redirect("appeals:list")
    if scope.has(Capability.VIEW_REGISTRY):
        return redirect("registry:places")
    return render(request, "core/home.html", {"household": request.user.resident.household if request.user.resident_id else None})


@login_required
def messages_inbox(request):
    """In-app messages. Opening the page marks them read."""
    from django.utils import timezone

    from linli.core.models import Notification

    qs = Notification.objects.filter(recipient=request.user, channel=Notification.Channel.IN_APP).order_by("-created_at")
    items = list(qs[:100])
    qs.filter(read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "core/messages.html", {"items": items})
