"""The menu: what each page's header shows this person. Menus ask the scope what to show
(``can.<capability>``); they never check role names."""

from datetime import timedelta

from django.utils import timezone

from linli.accounts.scope import registered_capabilities, scope_for
from linli.appeals import access as appeal_access
from linli.appeals.selectors import inbox_counts
from linli.mediation.access import roster_communities
from linli.registry.vocabulary import home_community_id


def menu(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    context = {
        "can": {c.name: scope.has(c) for c in registered_capabilities()},
        "user_roles": sorted(scope.roles),
        "user_orgs": bool(scope.organisation_ids),
        "unread_messages": user.notifications.filter(channel="in_app", read_at__isnull=True).count(),
        # The community whose wall, board and councils the menu links to.
        "home_community": home_community_id(user, scope),
        # On a community's mediators' roster (a callable: asked only when the menu needs it).
        "mediates": lambda: bool(roster_communities(user)),
        # Has a duty shift coming or under way (值勤): asked only when the menu needs it.
        "on_duty": lambda: user.duty_shifts.filter(ends_at__gte=timezone.now() - timedelta(hours=2)).exists(),
    }
    if appeal_access.can_list(scope):
        counts = inbox_counts(scope)
        # The badge: what needs this person now (to sign, past its deadline, to accept).
        context["inbox_badge"] = counts["pending"] + counts["overdue"] + counts["to_accept"]
    return context
