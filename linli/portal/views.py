"""Where a person's day starts: the first page after signing in, by what they do."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from linli.accounts.scope import scope_for
from linli.appeals import access as appeal_access
from linli.dashboard import access as dashboard_access
from linli.gridwork import access as gridwork_access
from linli.registry import access as registry_access
from linli.registry.models import PlaceKind


@login_required
def home(request):
    scope = scope_for(request.user)
    if scope.has(appeal_access.DISPATCH_APPEALS) or scope.organisation_ids:
        return redirect("appeals:list")
    # A grid worker's or red steward's phone opens on their day: patrol, visits, tasks.
    if gridwork_access.can_patrol(scope) or scope.has(gridwork_access.STEWARD):
        return redirect("gridwork:day")
    # A street supervisor's morning starts with the street's figures.
    subject = dashboard_access.home_subject(scope) if scope.has(dashboard_access.VIEW_DASHBOARD) else None
    if subject is not None and subject.kind == "place" and subject.obj.kind != PlaceKind.COMMUNITY:
        return redirect("dashboard:home")
    if scope.has(registry_access.VIEW_REGISTRY):
        return redirect("registry:places")
    return render(request, "portal/home.html", {"household": request.user.resident.household if request.user.resident_id else None})
