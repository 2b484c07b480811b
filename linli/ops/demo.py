"""The order in which the apps' demos build on one another (registry first: everything else
stands on its places, people and users)."""


def seed_everything(*, seed: int) -> dict[str, int]:
    from linli.appeals.demo import seed_appeals
    from linli.councils.demo import seed_councils, seed_ownerships
    from linli.dashboard.demo import seed_dashboard
    from linli.gridwork.demo import seed_gridwork
    from linli.mediation.demo import seed_mediation
    from linli.notices.demo import seed_notices
    from linli.projects.demo import seed_projects
    from linli.registry.demo import seed_registry
    from linli.resident_services.demo import seed_services
    from linli.volunteers.demo import seed_volunteers
    from linli.wishes.demo import seed_wishes

    hemei, counts = seed_registry(seed=seed)
    summary = {
        "places": counts.places,
        "grids": counts.grids,
        "households": counts.households,
        "residents": counts.residents,
        "appeals": seed_appeals(community=hemei, seed=seed),
    }
    seed_ownerships(community=hemei, seed=seed)
    seed_councils(community=hemei, seed=seed)
    summary["wishes"] = seed_wishes(community=hemei, seed=seed)
    summary.update(seed_volunteers(community=hemei, seed=seed))
    summary.update(seed_services(community=hemei, seed=seed))
    summary.update(seed_gridwork(community=hemei, seed=seed))
    summary.update(seed_notices(community=hemei, seed=seed))
    summary.update(seed_projects(community=hemei, seed=seed))
    summary.update(seed_mediation(community=hemei, seed=seed))
    summary.update(seed_dashboard(seed=seed))
    return summary
