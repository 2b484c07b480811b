from linli.accounts.scope import Capability, scope_for


def roles(request):
    """Menus ask the scope what to show; they never check role names themselves."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    return {
        "can": {c.name.lower(): scope.has(c) for c in Capability},
        "user_roles": sorted(scope.roles),
        "user_orgs": bool(scope.organisation_ids),
        "unread_messages": user.notifications.filter(channel="in_app", read_at__isnull=True).count(),
    }
