"""The scope rule, walked over every registry page and API endpoint.

For each URL: a user of another grid and a user of another community get nothing (404 or
403, never the data), the right user gets it. A URL pattern missing from the table fails the
test, so a new view cannot skip the rule."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from linli.accounts.scope import scope_for
from linli.registry import access

# name -> (method, kwargs builder, owner key, outsider keys)
GET, POST = "get", "post"


def _cases(w):
    r, hh, g = w.resident, w.household, w.grid
    return {
        "registry:place": (GET, {"pk": w.building.pk}, "gridworker", ["other_gridworker", "far_gridworker", "far_staff", "property"]),
        "registry:grid": (GET, {"pk": g.pk}, "gridworker", ["other_gridworker", "far_staff", "far_gridworker", "property", "buildinghead"]),
        "registry:resident": (GET, {"pk": r.pk}, "gridworker", ["other_gridworker", "far_staff", "far_gridworker", "property"]),
        "registry:resident_edit": (GET, {"pk": r.pk}, "gridworker", ["other_gridworker", "far_staff", "street", "buildinghead"]),
        "registry:resident_reveal": (
            POST,
            {"pk": r.pk, "field": "phone"},
            "gridworker",
            ["other_gridworker", "far_staff", "buildinghead", "street"],
        ),
        "registry:household": (GET, {"pk": hh.pk}, "gridworker", ["other_gridworker", "far_staff", "property"]),
        "registry:resident_add": (GET, {"household_pk": hh.pk}, "gridworker", ["other_gridworker", "far_staff", "street"]),
        "api-place": (GET, {"pk": w.building.pk}, "gridworker", ["other_gridworker", "far_staff"]),
        "api-grid": (GET, {"pk": g.pk}, "gridworker", ["other_gridworker", "far_staff"]),
        "api-household": (GET, {"pk": hh.pk}, "gridworker", ["other_gridworker", "far_staff"]),
        "api-resident": (GET, {"pk": r.pk}, "gridworker", ["other_gridworker", "far_staff", "far_gridworker"]),
        "api-resident-reveal": (POST, {"pk": r.pk}, "staff", ["far_staff", "other_gridworker", "street"]),
    }


# Lists: the outsider gets a page without the resident's data.
LISTS = {
    "registry:places": "阳光花园",
    "registry:grids": "第1网格",
    "registry:residents": "张三",
    "api-places": "阳光花园",
    "api-grids": "第1网格",
    "api-residents": "张三",
    "api-facilities": None,
    "api-organisations": "红枫物业",
    "registry:export": None,
}
# Not about registry objects: the scope rule for them is tested elsewhere.
EXEMPT = {"registry:import", "registry:import_template", "registry:import_status", "api-schema", "api-docs"}
# The structure pages and the grid-work API: walked inside and outside by every role in the
# permission matrix (tests/permission_matrix.py, groups "structure" and "api").
EXEMPT |= {
    "registry:grid_new",
    "registry:grid_edit",
    "registry:grid_buildings",
    "registry:grid_people",
    "registry:organisations",
    "registry:organisation",
    "registry:party",
    "registry:party_add",
    "registry:party_node",
    "registry:party_life",
    "api-patrols",
    "api-patrol-end",
    "api-compliance",
    "api-visits",
    "api-visit-targets",
    "api-sentiments",
    "api-rounds",
    "api-round",
    "api-round-contact",
}


def _registry_url_names():
    names = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{p.namespace}:" if p.namespace else prefix
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns)
    # Appeal endpoints have their own walk (tests/appeals/test_api.py).
    own_walks = (
        "api-appeal",
        "api-council",
        "api-topic",
        "api-vote",
        "api-wish",
        "api-volunteer",
        "api-service",
        "api-notice",
        "api-project",
        "api-mediation",
    )  # volunteers: the matrix and tests/volunteers
    return {n for n in names if n.startswith("registry:") or (n.startswith("api") and not n.startswith(own_walks))}


def test_every_registry_and_api_url_is_in_the_walk(world):
    covered = set(_cases(world)) | set(LISTS) | EXEMPT
    missing = _registry_url_names() - covered
    assert not missing, f"add these URLs to the scope walk: {sorted(missing)}"


def test_detail_urls_refuse_outsiders_and_serve_the_owner(world, client):
    from django.urls import reverse

    for name, (method, kwargs, owner, outsiders) in _cases(world).items():
        url = reverse(name, kwargs=kwargs)
        data = {"field": "phone"} if name == "api-resident-reveal" else {}
        extra = {"content_type": "application/json"} if name.startswith("api") and method == "post" else {}
        for key in outsiders:
            client.force_login(world.user(key))
            response = getattr(client, method)(url, data, **extra)
            assert response.status_code in (403, 404), f"{name} served {key}: {response.status_code}"
            assert "13800138000" not in response.content.decode()
            assert world.resident.name not in response.content.decode(), f"{name} leaked to {key}"
        client.force_login(world.user(owner))
        response = getattr(client, method)(url, data, **extra)
        assert response.status_code == 200, f"{name} refused {owner}: {response.status_code}"


def test_list_urls_show_outsiders_nothing_of_this_grid(world, client):
    from django.urls import reverse

    for name, marker in LISTS.items():
        url = reverse(name)
        client.force_login(world.user("far_staff"))
        response = client.get(url)
        body = response.content.decode() if response.status_code == 200 and name != "registry:export" else ""
        if name == "registry:export":
            from io import BytesIO

            from openpyxl import load_workbook

            rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
            assert all("张三" not in (row[5] or "") for row in rows[1:])
            continue
        if marker and name not in ("registry:places", "api-places", "api-organisations"):
            assert marker not in body, f"{name} showed {marker} to another community"
        client.force_login(world.user("other_gridworker"))
        body = client.get(url).content.decode()
        assert "张三" not in body, f"{name} showed a resident of another grid"


def test_grid_worker_sees_her_grid_and_not_the_next(world):
    scope = scope_for(world.user("gridworker"))
    assert list(access.residents(scope)) == [world.resident]
    assert list(access.grids(scope)) == [world.grid]
    assert world.other_resident not in access.residents(scope)


def test_community_staff_see_their_community(world):
    scope = scope_for(world.user("staff"))
    assert set(access.residents(scope)) == {world.resident, world.other_resident}
    assert world.far_resident not in access.residents(scope)


def test_street_supervisor_sees_every_community_of_the_street_read_only(world):
    scope = scope_for(world.user("street"))
    assert set(access.residents(scope)) == {world.resident, world.other_resident, world.far_resident}
    assert not scope.can(access.EDIT_REGISTRY, world.resident)
    assert not scope.can(access.REVEAL_ID, world.resident)


def test_building_head_sees_the_building_without_care_status(world):
    scope = scope_for(world.user("buildinghead"))
    assert list(access.residents(scope)) == [world.resident]
    assert not scope.can(access.VIEW_CARE, world.resident)


def test_resident_sees_only_her_household(world):
    scope = scope_for(world.user("resident"))
    assert list(access.residents(scope, access.VIEW_OWN)) == [world.resident]
    assert not access.residents(scope).exists()


def test_property_staff_see_no_residents(world):
    assert not access.residents(scope_for(world.user("property"))).exists()


@pytest.mark.parametrize("key", ["gridworker", "staff", "street", "buildinghead"])
def test_object_check_agrees_with_queryset(world, key):
    scope = scope_for(world.user(key))
    visible = set(access.residents(scope))
    for r in (world.resident, world.other_resident, world.far_resident):
        assert scope.can(access.VIEW_REGISTRY, r) == (r in visible)
