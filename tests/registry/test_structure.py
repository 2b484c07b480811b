"""The community's structure set up by its staff, not the admin: grids, buildings, the people of
a grid, organisations, the party tree, councils and their members — each change through a
service, refused outside the community, with an audit row."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from linli.accounts.models import Role, RoleAssignment, User
from linli.core.models import AuditEntry
from linli.councils import services as council_services
from linli.councils.models import Attendance, Member
from linli.registry import selectors, services
from linli.registry.models import FOUR_LEVELS, SIX_LEVELS, Organisation, PartyOrganisation, PartyOrgKind, Place, PlaceKind
from linli.registry.services import roles


def audits(target_type, **kw):
    return list(AuditEntry.objects.filter(target_type=target_type, **kw).order_by("pk").values_list("action", flat=True))


@pytest.fixture
def staff(world):
    return world.user("staff")


def fresh(obj):
    return obj.__class__.objects.get(pk=obj.pk)


# ---- grids -----------------------------------------------------------------------------------------


def test_staff_create_and_edit_grids_with_audit(world, staff):
    grid = services.grid_create(actor=staff, community=world.community, name="第3网格", code="341103004001003")
    micro = services.grid_create(
        actor=staff, community=world.community, name="3-1微网格", code="341103004001301", kind="micro", parent=grid
    )
    grid = services.grid_update(actor=staff, grid=grid, name="第三网格", kind="comprehensive", description="含幼儿园")
    assert (grid.name, grid.description) == ("第三网格", "含幼儿园")
    assert audits("registry.grid", target_id__in=[str(grid.pk), str(micro.pk)]) == ["create", "create", "update"]
    entry = AuditEntry.objects.filter(target_type="registry.grid", action="update").get()
    assert entry.changes["name"] == ["第3网格", "第三网格"] and entry.actor == staff
    with pytest.raises(ValidationError):  # a grid with micro-grids cannot become one
        services.grid_update(actor=staff, grid=grid, name="x", kind="micro", parent=world.grid)
    with pytest.raises(ValidationError):  # a micro-grid of a micro-grid
        services.grid_update(actor=staff, grid=fresh(world.other_grid), name="x", kind="micro", parent=micro)
    with pytest.raises(ValidationError):
        services.grid_create(actor=staff, community=world.community, name="重复", code="341103004001003")
    for role in ("far_staff", "gridleader", "gridworker", "street"):
        with pytest.raises(PermissionDenied):
            services.grid_create(actor=world.user(role), community=world.community, name="x", code="341103004001009")
        with pytest.raises(PermissionDenied):
            services.grid_update(actor=world.user(role), grid=grid, name="x", kind="comprehensive")


def test_buildings_move_between_grids_with_audit(world, staff):
    b2 = fresh(world.other_building)
    services.grid_assign_buildings(actor=staff, grid=world.grid, buildings=[b2])
    assert Place.objects.filter(path__startswith=b2.path).exclude(grid=world.grid).count() == 0
    assert AuditEntry.objects.filter(target_type="registry.place", target_id=str(b2.pk)).latest("pk").changes == {
        "grid_id": [world.other_grid.pk, world.grid.pk]
    }
    with pytest.raises(ValidationError):
        services.grid_assign_buildings(actor=staff, grid=world.grid, buildings=[Place.objects.get(pk=world.far_building.pk)])


# ---- people of a grid --------------------------------------------------------------------------------


def test_a_new_grid_worker_account_and_role_in_one_step(world, staff):
    a = roles.person_assign(
        actor=staff,
        role=Role.GRID_WORKER,
        username="wangwei",
        display_name="王伟",
        password="Hemei-2025-pass",
        grid=world.grid,
        full_time=False,
        community=world.community,
    )
    assert a.user.check_password("Hemei-2025-pass") and a.user.display_name == "王伟" and not a.full_time
    assert audits("accounts.user") == ["create"] and "create" in audits("accounts.roleassignment")
    # An existing account by its name: no new account.
    a2 = roles.person_assign(actor=staff, role=Role.GRID_LEADER, username="WANGWEI", grid=world.grid, community=world.community)
    assert a2.user == a.user and User.objects.filter(username="wangwei").count() == 1
    with pytest.raises(ValidationError):  # unknown account and no password
        roles.person_assign(actor=staff, role=Role.GRID_WORKER, username="nobody", grid=world.grid, community=world.community)
    with pytest.raises(ValidationError):  # a weak first password
        roles.person_assign(
            actor=staff,
            role=Role.GRID_WORKER,
            username="weak",
            display_name="弱",
            password="123",
            grid=world.grid,
            community=world.community,
        )


def test_a_refused_role_leaves_no_account_behind(world):
    with pytest.raises(PermissionDenied):
        roles.person_assign(
            actor=world.user("far_staff"),
            role=Role.GRID_WORKER,
            username="intruder",
            display_name="外人",
            password="Hemei-2025-pass",
            grid=world.grid,
            community=world.community,
        )
    assert not User.objects.filter(username="intruder").exists()
    with pytest.raises(PermissionDenied):
        roles.person_assign(
            actor=world.user("far_staff"),
            role=Role.GRID_WORKER,
            username="intruder",
            display_name="外人",
            password="Hemei-2025-pass",
            grid=world.grid,
            community=world.other_community,  # claims its own community for the account, the grid is not theirs
        )
    assert not User.objects.filter(username="intruder").exists()


def test_full_time_flag_and_removal_are_audited_and_grids_are_flagged(world, staff):
    gw = RoleAssignment.objects.get(user=world.user("gridworker"), role=Role.GRID_WORKER)
    gw_pk = str(gw.pk)
    counts = selectors.full_time_counts([world.community.pk])
    assert counts[world.grid.pk] == 1
    roles.role_set_full_time(actor=staff, assignment=gw, full_time=False)
    assert selectors.full_time_counts([world.community.pk]).get(world.grid.pk, 0) == 0
    with pytest.raises(PermissionDenied):
        roles.role_set_full_time(actor=world.user("far_staff"), assignment=gw, full_time=True)
    roles.role_remove(actor=staff, assignment=gw)
    assert audits("accounts.roleassignment", target_id=gw_pk) == ["create", "update", "delete"]


def test_building_heads_and_red_stewards_are_people_of_the_grid(world, staff):
    building = Place.objects.get(pk=world.building.pk)
    roles.person_assign(
        actor=staff,
        role=Role.RED_STEWARD,
        username="steward1",
        display_name="红管家",
        password="Hemei-2025-pass",
        grid=world.grid,
        community=world.community,
    )
    people = {(a.role, a.user.username) for a in selectors.grid_people(world.grid)}
    assert {
        ("building_head", "buildinghead"),
        ("grid_worker", "gridworker"),
        ("grid_leader", "gridleader"),
        ("red_steward", "steward1"),
    } <= people
    assert ("grid_worker", "other_gridworker") not in people
    assert building.grid_id == world.grid.pk


def test_the_grid_people_page_adds_and_removes(world, staff, client):
    client.force_login(staff)
    url = reverse("registry:grid_people", args=[world.grid.pk])
    r = client.post(url, {"op": "add", "role": "grid_worker", "username": "liuyang", "display_name": "刘洋", "password": "Hemei-2025-pass"})
    assert r.status_code == 302
    a = RoleAssignment.objects.get(user__username="liuyang")
    assert a.grid == world.grid and not a.full_time  # an unticked box is part-time
    r = client.post(url, {"op": "add", "role": "building_head", "username": "liuyang"})
    assert r.status_code == 400 and "楼栋长请选择楼栋" in r.content.decode()
    r = client.post(url, {"op": "full_time", "assignment": a.pk})
    assert r.status_code == 302 and fresh(a).full_time
    # The grid now has two full-time workers: flagged on the page and the grid list.
    assert "2 名专职网格员" in client.get(url).content.decode()
    assert "2 名专职" in client.get(reverse("registry:grids")).content.decode()
    # An assignment of another grid cannot be removed from this page.
    other = RoleAssignment.objects.get(user__username="other_gridworker")
    assert client.post(url, {"op": "remove", "assignment": other.pk}).status_code == 404
    assert client.post(url, {"op": "remove", "assignment": a.pk}).status_code == 302
    assert not RoleAssignment.objects.filter(pk=a.pk).exists()
    assert client.post(url, {"op": "remove", "assignment": "x\x00"}).status_code == 400


# ---- organisations -----------------------------------------------------------------------------------


def test_organisations_and_the_compounds_they_serve(world, staff):
    compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")
    org = services.organisation_create(actor=staff, place=world.community, kind="property_company", name="安居物业")
    org = services.organisation_update(
        actor=staff, organisation=org, served_compounds=[compound], name="安居物业公司", kind="property_company", contact_name="周经理"
    )
    assert list(org.served_compounds.all()) == [compound]
    entry = AuditEntry.objects.filter(target_type="registry.organisation", action="update").get()
    assert entry.changes["served_compounds"] == [[], ["阳光花园"]] and entry.changes["name"] == ["安居物业", "安居物业公司"]
    far = Place.objects.get(kind=PlaceKind.COMPOUND, name="新桥一村")
    with pytest.raises(ValidationError):
        services.organisation_update(actor=staff, organisation=org, served_compounds=[far], name="x", kind="property_company")
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=world.user("far_staff"), organisation=org, served_compounds=[], name="x", kind="merchant")
    assert Organisation.objects.get(pk=org.pk).name == "安居物业公司"


# ---- the party tree --------------------------------------------------------------------------------


def test_the_four_level_tree_follows_its_levels(world, staff):
    hh = world.household
    c = services.party_organisation_create(actor=staff, parent=None, kind="committee", name="和美社区大党委", community=world.community)
    with pytest.raises(ValidationError):  # a building group straight under the committee skips a level
        services.party_organisation_create(
            actor=staff, parent=c, kind="building_group", name="x", community=world.community, building=fresh(world.building)
        )
    with pytest.raises(ValidationError):  # a grid branch needs its grid
        services.party_organisation_create(actor=staff, parent=c, kind="grid_branch", name="x", community=world.community)
    b = services.party_organisation_create(
        actor=staff, parent=c, kind="grid_branch", name="一网格党支部", community=world.community, grid=world.grid
    )
    g = services.party_organisation_create(
        actor=staff,
        parent=b,
        kind="building_group",
        name="1栋党小组",
        community=world.community,
        grid=world.grid,
        building=fresh(world.building),
    )
    m = services.party_organisation_create(
        actor=staff, parent=g, kind="member_household", name="党员中心户", community=world.community, household=hh
    )
    assert [n.kind for n in selectors.party_tree(world.community)] == FOUR_LEVELS
    with pytest.raises(ValidationError):  # nothing below a member household
        services.party_organisation_create(
            actor=staff, parent=m, kind="member_household", name="x", community=world.community, household=hh
        )
    with pytest.raises(ValidationError):  # a node with children is not removed
        services.party_organisation_delete(actor=staff, node=g)
    services.party_organisation_delete(actor=staff, node=m)
    services.party_organisation_update(actor=staff, node=g, name="1栋楼栋党小组")
    assert audits("registry.partyorganisation") == ["create", "create", "create", "create", "delete", "update"]
    with pytest.raises(PermissionDenied):
        services.party_organisation_create(
            actor=world.user("far_staff"), parent=c, kind="grid_branch", name="x", community=world.community, grid=world.grid
        )


def test_the_six_level_tree(world, staff):
    services.party_levels_save(actor=staff, community=world.community, levels=SIX_LEVELS)
    assert (
        AuditEntry.objects.filter(target_type="registry.place", target_id=str(world.community.pk)).latest("pk").changes["party_levels"][1]
        == SIX_LEVELS
    )
    with pytest.raises(PermissionDenied):  # the street's committee belongs to whoever manages the street
        services.party_organisation_create(actor=staff, parent=None, kind="street_committee", name="测试街道党工委", community=world.street)
    street = services.party_organisation_create(
        actor=world.admin, parent=None, kind="street_committee", name="测试街道党工委", community=world.street
    )
    compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")
    c = services.party_organisation_create(actor=staff, parent=street, kind="committee", name="和美社区党委", community=world.community)
    b = services.party_organisation_create(
        actor=staff, parent=c, kind="grid_branch", name="一网格党支部", community=world.community, grid=world.grid
    )
    with pytest.raises(ValidationError):  # the six-level form has a compound branch between
        services.party_organisation_create(
            actor=staff, parent=b, kind="building_group", name="x", community=world.community, building=fresh(world.building)
        )
    n = services.party_organisation_create(
        actor=staff, parent=b, kind="compound_branch", name="阳光花园党支部", community=world.community, grid=world.grid, compound=compound
    )
    g = services.party_organisation_create(
        actor=staff,
        parent=n,
        kind="building_group",
        name="1栋党小组",
        community=world.community,
        grid=world.grid,
        building=fresh(world.building),
    )
    services.party_organisation_create(
        actor=staff, parent=g, kind="member_household", name="中心户", community=world.community, household=world.household
    )
    assert [x.kind for x in selectors.party_tree(world.community)] == SIX_LEVELS
    # The other community may hang its committee under the same street committee, not ours.
    with pytest.raises(ValidationError):
        services.party_organisation_create(
            actor=world.user("far_staff"), parent=c, kind="grid_branch", name="x", community=world.other_community, grid=world.far_grid
        )
    with pytest.raises(ValidationError):
        services.party_levels_save(actor=staff, community=world.community, levels=["grid_branch"])


def test_the_party_pages_build_a_tree(world, staff, client):
    client.force_login(staff)
    r = client.post(reverse("registry:party_add", args=[world.community.pk]), {"name": "和美社区大党委"})
    assert r.status_code == 302
    c = PartyOrganisation.objects.get(kind=PartyOrgKind.COMMITTEE)
    url = reverse("registry:party_add", args=[world.community.pk]) + f"?parent={c.pk}"
    assert client.post(url, {"name": "一网格党支部"}).status_code == 400  # no grid chosen
    assert client.post(url, {"name": "一网格党支部", "anchor": world.grid.pk}).status_code == 302
    branch = PartyOrganisation.objects.get(kind=PartyOrgKind.GRID_BRANCH)
    page = client.get(reverse("registry:party_add", args=[world.community.pk]) + f"?parent={branch.pk}").content.decode()
    # The building group's choices come from under the branch's grid: building 1 only.
    assert "1栋" in page and str(world.other_grid.name) not in page
    assert "一网格党支部" in client.get(reverse("registry:party", args=[world.community.pk])).content.decode()
    client.force_login(world.user("far_staff"))
    assert client.get(reverse("registry:party", args=[world.community.pk])).status_code == 404
    assert client.post(reverse("registry:party_node", args=[branch.pk]), {"op": "delete"}).status_code == 404


# ---- councils and their members ----------------------------------------------------------------------


def test_councils_and_members_are_audited_and_a_member_who_leaves_keeps_the_record(world, staff):
    from django.utils import timezone

    council = council_services.council_create(actor=staff, community=world.community, name="和美议事会")
    m = council_services.member_add(actor=staff, council=council, name="张三", role="resident_rep", user=world.user("resident"))
    meeting = council_services.meeting_schedule(actor=staff, council=council, kind="matter", title="议事", scheduled_at=timezone.now())
    council_services.meeting_sign_in(actor=staff, meeting=meeting, member=m)
    council_services.member_remove(actor=staff, member=m)
    assert not council.members.exists() and Attendance.objects.get(meeting=meeting).member.name == "张三"
    with pytest.raises(ValidationError):
        council_services.member_remove(actor=staff, member=m)
    # They may be added again later.
    council_services.member_add(actor=staff, council=council, name="张三", role="resident_rep", user=world.user("resident"))
    assert Member.all_objects.filter(council=council).count() == 2 and council.members.count() == 1
    assert audits("councils.council") == ["create"] and audits("councils.member") == ["create", "delete", "create"]
    with pytest.raises(PermissionDenied):
        council_services.council_create(actor=world.user("far_staff"), community=world.community, name="x")
    with pytest.raises(PermissionDenied):
        council_services.member_add(actor=world.user("gridworker"), council=council, name="x", role="party_member")


def test_council_pages(world, staff, client):
    client.force_login(staff)
    r = client.post(
        reverse("councils:new"),
        {"community": world.community.pk, "name": "阳光花园邻里议事会", "kind": "neighbours", "support_threshold": 5},
    )
    assert r.status_code == 302
    council = council_services.Council.objects.get(name="阳光花园邻里议事会")
    url = reverse("councils:members", args=[council.pk])
    assert client.post(url, {"op": "add", "name": "王大爷", "role": "party_member"}).status_code == 302
    assert client.post(url, {"op": "add", "name": "李四", "role": "party_member", "username": "ghost"}).status_code == 400
    member = council.members.get()
    assert client.post(url, {"op": "remove", "member": member.pk}).status_code == 302
    assert not council.members.exists()
    client.force_login(world.user("far_staff"))
    assert client.get(url).status_code == 404
