from linli.accounts.scope import registered_capabilities, scope_for


def roles(request):
    """Menus ask the scope what to show (``can.<capability>``); they never check role names."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from linli.appeals import access as appeal_access
    from linli.appeals.selectors import inbox_counts

    scope = scope_for(user)
    context = {
        "can": {c.name: scope.has(c) for c in registered_capabilities()},
        "user_roles": sorted(scope.roles),
        "user_orgs": bool(scope.organisation_ids),
        "unread_messages": user.notifications.filter(channel="in_app", read_at__isnull=True).count(),
        "home_community": _home_community(user, scope),
        # On a community's mediators' roster (a callable: asked only when the menu needs it).
        "mediates": lambda: _mediates(user),
    }
    if appeal_access.can_list(scope):
        counts = inbox_counts(scope)
        # The badge: what needs this person now (to sign, past its deadline, to accept).
        context["inbox_badge"] = counts["pending"] + counts["overdue"] + counts["to_accept"]
    return context


def _home_community(user, scope) -> int | None:
    """The community whose wall, board and councils the menu links to: the resident's own, or
    the one the user works in (the first under a street)."""
    if user.resident_id:
        return user.resident.household.dwelling.community_id
    from linli.registry.models import Place, PlaceKind

    homes = sorted((r.home_path for r in scope.reaches if r.home_path), key=len, reverse=True)
    if not homes:
        return None
    width = Place.steplen * 3  # district / street / community
    home = homes[0]
    qs = Place.objects.filter(kind=PlaceKind.COMMUNITY)
    qs = qs.filter(path=home[:width]) if len(home) >= width else qs.filter(path__startswith=home).order_by("path")
    return qs.values_list("pk", flat=True).first()


def _mediates(user) -> bool:
    from linli.mediation.access import roster_communities

    return bool(roster_communities(user))
