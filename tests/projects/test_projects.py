"""Projects: acceptance refused while an item is unfinished, a refusal reopens what it names, the
last signature accepts and resolves the appeals; money exact in Decimal; receipts never beyond
the pledge; rights; the public page."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from linli.appeals.models import Status
from linli.projects import selectors, services
from linli.projects.models import Decision, ItemStatus, ProjectStatus
from tests.conftest import signed_in
from tests.matrix_world import jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(world):
    staff = world.user("staff")
    compound = world.building.__class__.objects.get(path=world.building.path[: -world.building.steplen])
    p = services.project_create(actor=staff, community=world.community, title="红光新村改造", places=[compound])
    services.item_add(actor=staff, project=p, name="楼道刷新", quantity=60, unit="个楼道", budget="120000.10")
    services.item_add(actor=staff, project=p, name="铺装", quantity="1000", unit="㎡", budget="85000.20")
    return p


def finish_all(staff, p):
    for item in p.items.all():
        services.progress_record(actor=staff, item=item, quantity=item.quantity - item.done, note="完成", after=jpeg())


def test_acceptance_refused_while_an_item_is_unfinished(world, project):
    staff = world.user("staff")
    services.signoff_add(actor=staff, project=project, kind="department", name="区住建局")
    first = project.items.first()
    services.progress_record(actor=staff, item=first, quantity=60, note="60个楼道全部刷新", before=jpeg(), after=jpeg())
    with pytest.raises(ValidationError, match="铺装"):
        services.project_complete(actor=staff, project=project)
    services.progress_record(actor=staff, item=project.items.last(), quantity="999.99", note="铺装")
    with pytest.raises(ValidationError):
        services.project_complete(actor=staff, project=project)
    with pytest.raises(ValidationError):  # never beyond the planned quantity
        services.progress_record(actor=staff, item=project.items.last(), quantity="0.02", note="多铺")
    services.progress_record(actor=staff, item=project.items.last(), quantity="0.01", note="收尾")
    assert services.project_complete(actor=staff, project=project).status == ProjectStatus.COMPLETED


def test_a_refusal_reopens_the_items_it_names_and_the_last_signature_accepts(world, project, new_appeal):
    staff, rep = world.user("staff"), world.user("resident")
    appeal = new_appeal(title="楼道太脏", description="楼道墙面脏")
    project.appeals.add(appeal)
    dept = services.signoff_add(actor=staff, project=project, kind="department", name="区住建局")
    residents = services.signoff_add(actor=staff, project=project, kind="residents", name="居民代表 张三", user=rep)
    with pytest.raises(PermissionDenied):  # nothing to decide before completion
        services.signoff_decide(actor=rep, signoff=residents, decision="signed")
    finish_all(staff, project)
    services.project_complete(actor=staff, project=project)
    stairs, paving = list(project.items.all())
    with pytest.raises(ValidationError):  # a refusal gives reasons and names items
        services.signoff_decide(actor=rep, signoff=residents, decision="refused", reasons="")
    with pytest.raises(PermissionDenied):  # not someone else's line
        services.signoff_decide(actor=world.user("gridworker"), signoff=residents, decision="signed")
    services.signoff_decide(actor=rep, signoff=residents, decision="refused", reasons="3栋楼道墙面返潮", refused_items=[stairs])
    project.refresh_from_db()
    stairs.refresh_from_db()
    paving.refresh_from_db()
    assert project.status == ProjectStatus.UNDERWAY and stairs.status == ItemStatus.REOPENED and paving.status == ItemStatus.DONE
    with pytest.raises(ValidationError):
        services.project_complete(actor=staff, project=project)
    services.item_finish(actor=staff, item=stairs, note="已重新刷漆")
    services.project_complete(actor=staff, project=project)
    assert set(project.signoffs.values_list("decision", flat=True)) == {Decision.PENDING}
    services.signoff_decide(actor=staff, signoff=dept, decision="signed")  # staff record the department's paper
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    services.signoff_decide(actor=rep, signoff=residents, decision="signed")
    services.signoff_decide(actor=rep, signoff=residents, decision="signed")  # a double submit changes nothing
    with pytest.raises(PermissionDenied):  # a decision given is not taken back
        services.signoff_decide(actor=rep, signoff=residents, decision="refused", reasons="x", refused_items=[stairs])
    project.refresh_from_db()
    appeal.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED and project.accepted_at
    assert appeal.events.filter(action="project_resolve").count() == 1
    assert appeal.status == Status.RESOLVED and project.title in appeal.result


def test_money_totals_are_exact(world, project):
    staff = world.user("staff")
    gov = services.funding_add(actor=staff, project=project, source="government", funder="区财政", pledged="100000.10")
    fund = services.funding_add(actor=staff, project=project, source="maintenance", funder="住宅专项维修资金", pledged="0.20")
    crowd = services.funding_add(actor=staff, project=project, source="crowdfunding", funder="区供电公司", pledged="50000.05")
    services.funding_receive(actor=staff, funding=gov, amount="0.10", received_on=date.today(), number="A1")
    services.funding_receive(actor=staff, funding=fund, amount="0.20", received_on=date.today(), number="B1")
    services.funding_receive(actor=staff, funding=crowd, amount="20000.01", received_on=date.today(), number="C1")
    with pytest.raises(ValidationError):  # beyond the pledge
        services.funding_receive(actor=staff, funding=crowd, amount="30000.05", received_on=date.today(), number="C2")
    with pytest.raises(ValidationError):  # one receipt number once
        services.funding_receive(actor=staff, funding=crowd, amount="1", received_on=date.today(), number="C1")
    m = selectors.money(project)
    assert m["budget"] == Decimal("205000.30")
    assert m["pledged"] == Decimal("150000.35") and m["received"] == Decimal("20000.31")
    assert m["gap"] == Decimal("54999.95")
    for bad in ("abc", "-1", "0", "1e20", "NaN"):
        with pytest.raises(ValidationError):
            services.funding_add(actor=staff, project=project, source="other", funder="x", pledged=bad)


def test_only_staff_of_the_community_run_projects(world, project):
    for key in ("gridworker", "resident", "far_staff", "street", "property"):
        with pytest.raises(PermissionDenied):
            services.item_add(actor=world.user(key), project=project, name="x", quantity=1, unit="个")
        with pytest.raises(PermissionDenied):
            services.project_create(actor=world.user(key), community=world.community, title="x", places=[world.community])


def test_public_page_and_query_counts(client, world, project):
    staff = world.user("staff")
    services.funding_add(actor=staff, project=project, source="government", funder="区财政", pledged="1000")
    services.signoff_add(actor=staff, project=project, kind="residents", name="居民代表")
    page = client.get(reverse("projects:project", args=[project.pk]))
    assert page.status_code == 200 and "楼道刷新" in page.content.decode()
    assert client.get(reverse("projects:list", args=[world.community.pk])).status_code == 200
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in(client, staff)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("projects:project", args=[project.pk])).status_code == 200
        return len(ctx)

    before = count()
    for i in range(4):
        item = services.item_add(actor=staff, project=project, name=f"雕塑{i}", quantity=1, unit="个")
        services.progress_record(actor=staff, item=item, quantity=1, note="安装", after=jpeg())
        f = services.funding_add(actor=staff, project=project, source="crowdfunding", funder=f"单位{i}", pledged="10")
        services.funding_receive(actor=staff, funding=f, amount="5", received_on=date.today(), number=f"R{i}")
        services.signoff_add(actor=staff, project=project, kind="department", name=f"部门{i}")
    assert count() == before


def test_the_public_page_shows_answered_appeals_as_the_board_does(client, world, project, new_appeal):
    """A resident's words (the title is often the start of the description) are theirs: the public
    page names an answered appeal by number, category and building only; the reporter and the
    staff in reach read the title."""
    appeal = new_appeal(title="302室张三家楼上漏水", description="302室张三家楼上漏水")
    project.appeals.add(appeal)
    url = reverse("projects:project", args=[project.pk])
    building = appeal.public_place
    for key in (None, "far_staff", "other_gridworker"):
        if key:
            signed_in(client, world.user(key))
        text = client.get(url).content.decode()
        assert appeal.number in text and building in text and appeal.category.name in text, key
        assert "302室" not in text and "张三" not in text, key
    for key in ("resident", "staff"):
        signed_in(client, world.user(key))
        assert "302室张三家楼上漏水" in client.get(url).content.decode(), key


def test_bad_input_is_400_and_writes_nothing(client, world, project):
    signed_in(client, world.user("staff"))
    for data in (
        {"name": "x", "quantity": "abc", "unit": "个"},
        {"name": "x\x00", "quantity": "1", "unit": "个"},
        {"name": "x", "quantity": "-1", "unit": "个"},
    ):
        r = client.post(reverse("projects:act", args=[project.pk, "item"]), data)
        assert r.status_code == 400
    assert project.items.count() == 2


def test_quantities_read_as_people_write_them(client, world, project):
    """1,000 ㎡ is "1000", not the Decimal's "1E+3"; a half is "0.5"."""
    paving = project.items.get(name="铺装")
    services.progress_record(actor=world.user("staff"), item=paving, quantity="0.5", note="试铺")
    text = client.get(reverse("projects:project", args=[project.pk])).content.decode()
    assert "0.5/1000 ㎡" in text and "E+" not in text


def test_a_project_from_a_resolution_answers_it(client, world, new_appeal):
    """立项 from the council's adopted resolution: the topic's appeals come with it, the topic page
    offers it to those who run projects, and acceptance marks the resolution done."""
    from tests.councils.builders import council_of, resolution_of

    staff = world.user("staff")
    council = council_of(world)
    appeal = new_appeal(title="电动车乱停", description="楼下电动车乱停，希望划车位")
    resolution = resolution_of(world, council, [appeal])
    topic_url = reverse("councils:topic", args=[resolution.topic_id])
    new_url = reverse("projects:new", args=[world.community.pk]) + f"?resolution={resolution.pk}"
    signed_in(client, world.user("gridworker"))  # a council member, but projects are the staff's
    assert new_url not in client.get(topic_url).content.decode()
    assert client.get(new_url).status_code == 404
    signed_in(client, staff)
    page = client.get(topic_url).content.decode()
    assert new_url in page and "立项实施" in page
    form = client.get(new_url)
    assert form.status_code == 200 and "3栋东侧划定20个电动车位" in form.content.decode()
    compound = world.building.__class__.objects.get(path=world.building.path[: -world.building.steplen])
    r = client.post(new_url, {"title": "3栋电动车位", "places": [compound.pk]})
    assert r.status_code == 302
    project = resolution.projects.get()
    assert project.origin == "resolution" and list(project.appeals.all()) == [appeal]
    # One project per resolution: no second 立项实施 on the page, and a second create (a stale
    # tab, the API) is refused with the reason.
    assert 'data-offer="start_project"' not in client.get(topic_url).content.decode()
    again = client.post(new_url, {"title": "3栋电动车位（二）", "places": [compound.pk]})
    assert again.status_code in (200, 400) and "该决议已立项" in again.content.decode()
    with pytest.raises(ValidationError, match="该决议已立项"):
        services.project_create(actor=staff, community=world.community, title="又一个", places=[compound], resolution=resolution)
    assert resolution.projects.count() == 1
    services.item_add(actor=staff, project=project, name="电动车位", quantity=20, unit="个")
    finish_all(staff, project)
    with pytest.raises(ValidationError, match="验收"):  # nobody named to accept it yet
        services.project_complete(actor=staff, project=project)
    sign = services.signoff_add(actor=staff, project=project, kind="residents", name="居民代表")
    project = services.project_complete(actor=staff, project=project)
    services.signoff_decide(actor=staff, signoff=sign, decision="signed")
    resolution.refresh_from_db()
    assert resolution.status == "done" and resolution.topic.status == "done"
    public = client.get(reverse("councils:public_topic", args=[resolution.topic_id])).content.decode()
    assert "3栋电动车位" in public and "验收通过" in public

    rejected = resolution_of(world, council, [new_appeal(title="装健身器材")], choice="against", title="健身器材")
    assert not rejected.adopted
    with pytest.raises(ValidationError, match="不予采纳"):
        services.project_create(actor=staff, community=world.community, title="健身器材", places=[compound], resolution=rejected)
    signed_in(client, staff)
    assert "立项实施" not in client.get(reverse("councils:topic", args=[rejected.topic_id])).content.decode()
    far = world.user("far_staff")
    with pytest.raises(ValidationError, match="本社区"):  # another community's resolution
        services.project_create(
            actor=far, community=world.other_community, title="x", places=[world.other_community], resolution=resolution
        )


@pytest.mark.django_db(transaction=True)
def test_two_signers_at_once_accept_the_project_once(world, project, new_appeal):
    """The department's paper recorded by staff and the representative's own signature land at the
    same moment: both count, and the project is accepted — its appeal resolved — exactly once."""
    from linli.core.models import AuditEntry
    from tests.conftest import needs_postgres, race

    needs_postgres()
    staff, rep = world.user("staff"), world.user("resident")
    appeal = new_appeal(title="楼道太脏", description="楼道墙面脏")
    project.appeals.add(appeal)
    dept = services.signoff_add(actor=staff, project=project, kind="department", name="区住建局")
    residents = services.signoff_add(actor=staff, project=project, kind="residents", name="居民代表 张三", user=rep)
    finish_all(staff, project)
    services.project_complete(actor=staff, project=project)
    signers = [(staff, dept), (rep, residents)] * 5  # each line tapped five times
    results = race(10, lambda i: services.signoff_decide(actor=signers[i][0], signoff=signers[i][1], decision="signed"))
    assert results.count("ok") == 10  # a double tap answers with the decision already given
    assert set(project.signoffs.values_list("decision", flat=True)) == {"signed"}
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED
    accepted = AuditEntry.objects.filter(
        target_type="projects.project", target_id=str(project.pk), changes__status=[ProjectStatus.COMPLETED, ProjectStatus.ACCEPTED]
    )
    assert accepted.count() == 1
    assert appeal.events.filter(action="project_resolve").count() == 1


@pytest.mark.django_db(transaction=True)
def test_receipts_at_once_never_pass_the_pledge(world, project):
    from tests.conftest import needs_postgres, race

    needs_postgres()
    staff = world.user("staff")
    crowd = services.funding_add(actor=staff, project=project, source="crowdfunding", funder="区供电公司", pledged="5000.00")
    results = race(
        12, lambda i: services.funding_receive(actor=staff, funding=crowd, amount="1000.00", received_on=date.today(), number=f"R{i}")
    )
    assert results.count("ok") == 5 and results.count("ValidationError") == 7
    crowd.refresh_from_db()
    assert crowd.received == Decimal("5000.00") == sum(r.amount for r in crowd.receipts.all())


@pytest.mark.django_db(transaction=True)
def test_two_taps_on_start_project_make_one_project(world, new_appeal):
    """立项实施 pressed at once on two devices: the unique index lets one project through, the
    other press is told the resolution has one (issue 23)."""
    from linli.projects.models import Project
    from linli.registry.models import Place, PlaceKind
    from tests.conftest import needs_postgres, race
    from tests.councils.builders import council_of, resolution_of

    needs_postgres()
    staff = world.user("staff")
    resolution = resolution_of(world, council_of(world), [new_appeal(title="电动车乱停")])
    compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")
    results = race(
        6,
        lambda i: services.project_create(
            actor=staff, community=world.community, title=f"电动车位{i}", places=[compound], resolution=resolution
        ),
    )
    assert results.count("ok") == 1 and results.count("ValidationError") == 5
    assert Project.objects.filter(resolution=resolution).count() == 1
