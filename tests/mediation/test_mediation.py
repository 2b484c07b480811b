"""Mediation: confidential to its list (every other role, the administrator included, gets
nothing), the roster's staff oversee, a retired mediator loses the case, an appeal goes in once
and is answered without the agreement's words, sessions before an agreement, follow-ups, counts
only for the street, audit rows without names."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.appeals.models import Event, Status
from linli.core.models import AuditEntry
from linli.mediation import access, selectors, services
from linli.mediation.models import Case, CaseStatus
from tests.conftest import PASSWORD, signed_in
from tests.matrix_world import jpeg

pytestmark = pytest.mark.django_db
PARTIES = [{"side": "applicant", "name": "张三"}, {"side": "respondent", "name": "赵大伯"}]


@pytest.fixture
def mworld(world):
    secretary, worker = world.user("secretary"), world.user("gridworker")
    services.mediator_add(actor=secretary, community=world.community, user=worker, kind="grid_worker")
    case = services.case_open(actor=worker, community=world.community, kind="noise", summary="楼上深夜装修", parties=PARTIES)
    return secretary, worker, case


def sees(user, case) -> bool:
    scope = scope_for(user)
    return access.can_view_case(scope, user, case) and access.visible_cases(scope, user).filter(pk=case.pk).exists()


def test_only_its_mediators_and_the_secretary_see_a_case(world, mworld):
    secretary, worker, case = mworld
    assert sees(secretary, case) and sees(worker, case)
    for key in ("staff", "gridleader", "other_gridworker", "buildinghead", "resident", "far_staff", "street", "property", "admin"):
        assert not sees(world.user(key), case), key


def test_staff_on_the_roster_oversee_the_community(world, mworld):
    secretary, _worker, case = mworld
    staff = world.user("staff")
    assert not sees(staff, case)
    services.mediator_add(actor=secretary, community=world.community, user=staff, kind="mediator")
    staff = User.objects.get(pk=staff.pk)
    assert sees(staff, case) and access.can_assign(scope_for(staff), staff, case)


def test_only_the_secretary_keeps_the_roster(world, mworld):
    with pytest.raises(PermissionDenied):
        services.mediator_add(actor=world.user("staff"), community=world.community, user=world.user("gridleader"), kind="elder")
    with pytest.raises(PermissionDenied):
        services.mediator_add(actor=world.user("admin"), community=world.community, user=world.user("gridleader"), kind="elder")


def test_a_retired_mediator_loses_the_case(world, mworld):
    secretary, worker, case = mworld
    services.mediator_retire(actor=secretary, mediator=case.assignments.get().mediator)
    worker = User.objects.get(pk=worker.pk)
    assert not sees(worker, case)
    with pytest.raises(PermissionDenied):
        services.case_open(actor=worker, community=world.community, kind="noise", summary="x", parties=PARTIES)


def test_outsiders_cannot_open_or_work(world, mworld):
    _secretary, _worker, case = mworld
    for key in ("staff", "gridleader", "resident", "admin", "street"):
        with pytest.raises(PermissionDenied):
            services.case_open(actor=world.user(key), community=world.community, kind="noise", summary="x", parties=PARTIES)
        with pytest.raises(PermissionDenied):
            services.case_session(actor=world.user(key), case=case, held_on=date.today(), location="x", notes="x")


def test_agreement_needs_a_session_and_closes_the_case(world, mworld):
    _s, worker, case = mworld
    with pytest.raises(ValidationError):
        services.case_agree(actor=worker, case=case, text="各让一步", signed_on=date.today())
    services.case_session(actor=worker, case=case, held_on=date.today(), location="调解室", notes="双方沟通")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.MEDIATING
    with pytest.raises(ValidationError):
        services.case_session(actor=worker, case=case, held_on=date.today() + timedelta(days=1), location="x", notes="x")
    case = services.case_agree(actor=worker, case=case, text="晚十点后不施工", signed_on=date.today(), scan=jpeg())
    assert case.status == CaseStatus.AGREED and case.agreement_scan
    with pytest.raises(PermissionDenied):  # closed: no more sessions
        services.case_session(actor=worker, case=case, held_on=date.today(), location="x", notes="x")
    services.case_follow_up(actor=worker, case=case, visited_on=date.today() - timedelta(days=1), holds=True, notes="已履行")
    services.case_follow_up(actor=worker, case=case, visited_on=date.today(), holds=False, notes="又在夜里施工")
    assert Case.objects.get(pk=case.pk).holds is False


def test_from_an_appeal_once_and_answered_without_the_agreement(world, mworld, new_appeal):
    secretary, _worker, _case = mworld
    appeal = new_appeal(title="邻居漏水到我家", description="楼上漏水，协商不成")
    case = services.case_open(actor=secretary, community=world.community, kind="leak", summary="漏水", appeal=appeal, parties=PARTIES)
    assert case.source == "appeal" and case.place_id == appeal.place_id
    assert Event.objects.filter(appeal=appeal, action="to_mediation", public=False).exists()
    with pytest.raises(ValidationError):
        services.case_open(actor=secretary, community=world.community, kind="leak", summary="漏水", appeal=appeal, parties=PARTIES)
    services.case_session(actor=secretary, case=case, held_on=date.today(), location="调解室", notes="上门查看")
    services.case_agree(actor=secretary, case=case, text="楼上赔偿维修费800元", signed_on=date.today())
    appeal.refresh_from_db()
    assert appeal.status == Status.RESOLVED and "800" not in appeal.result


def test_figures_are_counts_for_the_street_and_never_names(client, world, mworld):
    _s, worker, case = mworld
    services.case_close(actor=worker, case=case, status="withdrawn", outcome="申请人撤回")
    signed_in(client, world.user("street"))
    page = client.get(reverse("mediation:figures", args=[world.community.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "张三" not in text and "深夜装修" not in text and case.number not in text
    assert selectors.figures(world.street)["total"] == 1
    assert client.get(reverse("mediation:case", args=[case.pk])).status_code == 404


def test_audit_rows_name_the_case_by_number_only(world, mworld):
    _s, _w, _case = mworld
    rows = AuditEntry.objects.filter(target_type="mediation.case")
    assert rows.exists()
    assert all("张三" not in (r.target_label + r.note + str(r.changes)) for r in rows)


def test_pages_for_the_mediator_and_404_for_others(client, world, mworld):
    _s, worker, case = mworld
    signed_in(client, worker)
    for url in (reverse("mediation:home"), reverse("mediation:case", args=[case.pk]), reverse("mediation:new", args=[world.community.pk])):
        assert client.get(url).status_code == 200
    r = client.post(reverse("mediation:act", args=[case.pk, "session"]), {"held_on": "x", "location": "", "notes": "n"})
    assert r.status_code == 400 and not case.sessions.exists()
    r = client.post(
        reverse("mediation:act", args=[case.pk, "agreement"]),
        {"text": "t", "signed_on": date.today().isoformat(), "scan": jpeg("bad.jpg")},
        format="multipart",
    )
    assert r.status_code == 400  # no session yet: refused, nothing written
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    other = User.objects.create_user("nosy", password=PASSWORD)
    signed_in(client, other)
    assert client.get(reverse("mediation:home")).status_code == 404
    assert client.get(reverse("mediation:case", args=[case.pk])).status_code == 404
    assert client.get(reverse("api-mediation-case", args=[case.pk])).status_code == 404


def test_query_counts_do_not_grow(client, world, mworld):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    secretary, worker, case = mworld

    def count(url):
        signed_in(client, secretary)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    urls = [
        reverse("mediation:home"),
        reverse("mediation:case", args=[case.pk]),
        reverse("mediation:figures", args=[world.community.pk]),
        reverse("mediation:roster", args=[world.community.pk]),
    ]
    before = [count(u) for u in urls]
    for i in range(5):
        c = services.case_open(actor=worker, community=world.community, kind="family", summary=f"家庭{i}", parties=PARTIES)
        services.case_session(actor=worker, case=c, held_on=date.today(), location="x", notes="y")
        services.case_add_party(actor=worker, case=case, side="other", name=f"证人{i}")
        services.case_session(actor=worker, case=case, held_on=date.today(), location="x", notes=f"第{i}次")
    for i in range(3):
        u = User.objects.create_user(f"m{i}", password=PASSWORD)
        services.mediator_add(actor=secretary, community=world.community, user=u, kind="elder", name=f"老{i}")
    assert [count(u) for u in urls] == before
