"""Home visits by care frequency (due and overdue on the boundary day), 民情 records, findings
turned into appeals, topics and wishes, survey rounds, red stewards — and scope: a worker of
another grid sees and records nothing here."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linli.accounts.models import Role, User
from linli.accounts.scope import scope_for
from linli.appeals.models import Appeal
from linli.core.models import AuditEntry
from linli.councils import services as council_services
from linli.councils.models import Topic
from linli.gridwork import access, selectors, services
from linli.gridwork.models import Finding, Round, SentimentRecord, Visit
from linli.registry.models import CareTag, Place, PlaceKind
from linli.registry.services import roles
from tests.conftest import PASSWORD

SH = ZoneInfo("Asia/Shanghai")


def visit(user, household, when=None, **kw):
    return services.visit_record(actor=user, household=household, content="老人身体还好，冬天取暖没问题。", visited_at=when, **kw)


def target(world, today, household=None):
    household = household or world.household
    (t,) = selectors.visit_targets(household_ids=[household.pk], community_id=world.community.pk, today=today)
    return t


def test_due_on_the_boundary_day_and_overdue_the_day_after(world):
    # 张三 lives alone (独居老人): every 7 days by default.
    last = datetime(2025, 11, 3, 15, 0, tzinfo=SH)
    visit(world.user("gridworker"), world.household, last)
    assert target(world, date(2025, 11, 9)).state == "due_soon"
    t = target(world, date(2025, 11, 10))
    assert (t.due_on, t.state, t.overdue_days) == (date(2025, 11, 10), "due_today", 0)
    t = target(world, date(2025, 11, 11))
    assert (t.state, t.overdue_days) == ("overdue", 1)
    # A visit today takes the household off the overdue list.
    visit(world.user("gridworker"), world.household, datetime(2025, 11, 11, 10, tzinfo=SH))
    assert target(world, date(2025, 11, 11)).state == "later"


def test_a_visit_late_in_the_evening_counts_for_that_day_in_shanghai(world):
    # 23:30 in Shanghai is 15:30 UTC the same day; 00:30 Shanghai is still the previous day in UTC.
    visit(world.user("gridworker"), world.household, datetime(2025, 11, 3, 0, 30, tzinfo=SH))
    assert target(world, date(2025, 11, 10)).due_on == date(2025, 11, 10)


def test_frequencies_are_the_communitys_and_the_shortest_tag_wins(world):
    staff = world.user("staff")
    alone = CareTag.objects.get(code="elderly_alone")
    low = CareTag.objects.get(code="low_income")
    services.frequency_save(actor=staff, community=world.community, care_tag=alone, every_days=10)
    services.frequency_save(actor=staff, community=world.community, care_tag=low, every_days=3)
    visit(world.user("gridworker"), world.household, datetime(2025, 11, 3, 9, tzinfo=SH))
    assert target(world, date(2025, 11, 10)).every_days == 10
    world.resident.care_tags.add(low)
    assert target(world, date(2025, 11, 10)).every_days == 3
    # No tag that calls for visits: no target.
    services.frequency_save(actor=staff, community=world.community, care_tag=low, every_days=None)
    services.frequency_save(actor=staff, community=world.community, care_tag=alone, every_days=None)
    assert selectors.frequencies(world.community.pk) == {"elderly_alone": 7, "empty_nest": 14, "low_income": 30, "disabled": 30}
    with pytest.raises(ValidationError):
        services.frequency_save(actor=staff, community=world.community, care_tag=alone, every_days=0)
    with pytest.raises(PermissionDenied):
        services.frequency_save(actor=world.user("far_staff"), community=world.community, care_tag=alone, every_days=5)
    assert AuditEntry.objects.filter(target_type="gridwork.visitfrequency").count() == 4


def test_first_visit_is_due_an_interval_after_registration(world):
    t = target(world, timezone.localdate())
    assert t.last_visit is None and t.due_on == timezone.localdate(world.household.created_at) + timedelta(days=7)


def test_a_household_without_care_tags_is_no_target(world):
    assert selectors.visit_targets(household_ids=[world.other_household.pk], community_id=world.community.pk) == []


def test_visit_targets_read_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        selectors.visit_targets(grid_ids=[world.grid.pk, world.other_grid.pk], community_id=world.community.pk)


def test_visit_fields_are_checked(world):
    worker = world.user("gridworker")
    with pytest.raises(ValidationError):
        services.visit_record(actor=worker, household=world.household, content="  ")
    with pytest.raises(ValidationError):
        services.visit_record(actor=worker, household=world.household, content="x", kind="telepathy")
    with pytest.raises(ValidationError):
        services.visit_record(actor=worker, household=world.household, content="x", people_met=[world.other_resident])
    with pytest.raises(ValidationError):
        services.visit_record(actor=worker, household=world.household, content="x", visited_at=timezone.now() + timedelta(days=1))
    v = services.visit_record(actor=worker, household=world.household, content="见到了老人", people_met=[world.resident], needs="想要助浴")
    assert list(v.people_met.all()) == [world.resident] and v.grid == world.grid


# ---- scope ------------------------------------------------------------------------------------------


def test_a_worker_of_another_grid_sees_and_records_nothing_here(world):
    mine = visit(world.user("gridworker"), world.household)
    services.sentiment_record(actor=world.user("gridworker"), household=world.household, note="担心冬天暖气", topics=["elderly"])
    for role in ("other_gridworker", "far_gridworker"):
        other = world.user(role)
        scope = scope_for(other)
        with pytest.raises(PermissionDenied):
            visit(other, world.household)
        with pytest.raises(PermissionDenied):
            services.sentiment_record(actor=other, household=world.household, note="x")
        assert not access.visible_visits(scope, other).filter(pk=mine.pk).exists()
        assert not access.visible_sentiments(scope, other).exists()
        assert world.household.pk not in set(access.visitable_households(scope, other).values_list("pk", flat=True))
        assert not access.can_view_grid(scope, world.grid)
    # Inside: the grid's leader, the community's staff, the street see it; the far community's staff do not.
    for role, sees in (("gridleader", True), ("staff", True), ("street", True), ("far_staff", False), ("resident", False)):
        u = world.user(role)
        assert access.visible_visits(scope_for(u), u).filter(pk=mine.pk).exists() is sees, role


def test_building_head_records_in_their_building_only(world):
    head = world.user("buildinghead")
    visit(head, world.household)
    with pytest.raises(PermissionDenied):
        visit(head, world.other_household)


# ---- red stewards --------------------------------------------------------------------------------------


@pytest.fixture
def steward(world):
    u = User.objects.create_user("steward", password=PASSWORD)
    roles.role_assign(actor=world.user("staff"), user=u, role=Role.RED_STEWARD, grid=world.grid)
    return User.objects.get(pk=u.pk)


def test_a_red_steward_visits_the_households_linked_to_them(world, steward):
    staff = world.user("staff")
    with pytest.raises(PermissionDenied):
        visit(steward, world.household)
    link = services.steward_link(actor=staff, steward=steward, household=world.household)
    v = visit(steward, world.household, kind=Visit.Kind.STEWARD)
    assert v.kind == "steward"
    services.sentiment_record(actor=steward, household=world.household, note="希望楼下装个扶手")
    with pytest.raises(PermissionDenied):  # not linked
        visit(steward, world.other_household)
    with pytest.raises(ValidationError):  # grid 2's household: not this steward's grid
        services.steward_link(actor=staff, steward=steward, household=world.other_household)
    with pytest.raises(PermissionDenied):
        services.steward_link(actor=world.user("gridworker"), steward=steward, household=world.household)
    services.steward_unlink(actor=staff, link=link)
    with pytest.raises(PermissionDenied):
        visit(steward, world.household)
    assert list(AuditEntry.objects.filter(target_type="gridwork.stewardlink").values_list("action", flat=True).order_by("pk")) == [
        "update",
        "delete",
    ]


# ---- findings ------------------------------------------------------------------------------------------


@pytest.fixture
def open_patrol(world):
    compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")
    return services.patrol_start(actor=world.user("gridworker"), compound=compound)


def test_a_finding_becomes_an_appeal_linked_to_the_patrol(world, open_patrol):
    worker = world.user("gridworker")
    building = Place.objects.get(pk=world.building.pk)
    appeal = services.finding_appeal(actor=worker, place=building, description="1栋门口井盖松动", patrol=open_patrol, idempotency_key="k-1")
    again = services.finding_appeal(actor=worker, place=building, description="1栋门口井盖松动", patrol=open_patrol, idempotency_key="k-1")
    assert again.pk == appeal.pk and Appeal.objects.count() == 1
    assert appeal.channel == "grid_worker"
    (f,) = Finding.objects.all()
    assert (f.kind, f.patrol, f.appeal) == ("appeal", open_patrol, appeal)


def test_a_finding_becomes_a_topic_a_wish_and_a_sentiment(world, open_patrol):
    worker = world.user("gridworker")
    council = council_services.council_create(actor=world.user("staff"), community=world.community, name="和美议事会")
    topic = services.finding_topic(actor=worker, council=council, title="电动车充电桩不够", patrol=open_patrol)
    assert topic.source == Topic.Source.GRID
    wish = services.finding_wish(actor=worker, resident=world.resident, kind="goods", title="一个助行器", patrol=open_patrol)
    assert wish.resident == world.resident
    record = services.finding_sentiment(
        actor=worker,
        place=open_patrol.compound,
        note="居民反映晚上广场舞噪音",
        topics=["dispute"],
        mood="unhappy",
        follow_up_needed=True,
        patrol=open_patrol,
    )
    assert record.grid == world.grid and record.follow_up_needed
    assert sorted(Finding.objects.filter(patrol=open_patrol).values_list("kind", flat=True)) == ["sentiment", "topic", "wish"]


def test_sentiment_fields_are_checked(world):
    worker = world.user("gridworker")
    with pytest.raises(ValidationError):
        services.sentiment_record(actor=worker, household=world.household, note="x", topics=["nonsense"])
    with pytest.raises(ValidationError):
        services.sentiment_record(actor=worker, household=world.household, note="x", mood="ecstatic")
    with pytest.raises(ValidationError):
        services.sentiment_record(actor=worker, household=world.household, note=" ")
    with pytest.raises(ValidationError):
        services.sentiment_record(actor=worker, note="x")


def test_a_finding_from_someone_elses_patrol_is_refused(world, open_patrol):
    with pytest.raises(ValidationError):
        services.finding_sentiment(actor=world.user("gridleader"), household=world.household, note="x", patrol=open_patrol)
    assert not SentimentRecord.objects.exists()


# ---- rounds --------------------------------------------------------------------------------------------------


def survey(world, **kw):
    today = timezone.localdate()
    fields = {
        "kind": Round.Kind.SURVEY,
        "title": "2025年冬季满意度调查",
        "grids": [world.grid],
        "starts_on": today - timedelta(days=1),
        "ends_on": today + timedelta(days=14),
        "questions": [{"text": "您对物业服务满意吗？", "options": ["满意", "基本满意", "不满意"]}],
    }
    fields.update(kw)
    return services.round_create(actor=world.user("staff"), community=world.community, **fields)


def test_a_survey_round_counts_coverage_and_answers(world):
    rnd = survey(world)
    services.round_contact(actor=world.user("gridworker"), round=rnd, household=world.household, answers={"0": 2})
    with pytest.raises(ValidationError):  # once per household
        services.round_contact(actor=world.user("gridleader"), round=rnd, household=world.household, answers={"0": 0})
    with pytest.raises(PermissionDenied):  # grid 2 is not in the round
        services.round_contact(actor=world.user("other_gridworker"), round=rnd, household=world.other_household, answers={"0": 0})
    (cov,) = selectors.round_coverage(rnd)
    assert (cov["households"], cov["reached"], cov["percent"]) == (1, 1, 100.0)
    assert selectors.round_results(rnd) == [{"text": "您对物业服务满意吗？", "options": [("满意", 0), ("基本满意", 0), ("不满意", 1)]}]
    assert AuditEntry.objects.filter(target_type="gridwork.round", action="create").count() == 1


def test_round_answers_and_dates_are_checked(world):
    rnd = survey(world)
    worker = world.user("gridworker")
    for answers in ({}, {"0": 3}, {"0": "x"}, {"0": None}):
        with pytest.raises(ValidationError):
            services.round_contact(actor=worker, round=rnd, household=world.household, answers=answers)
    past = survey(world, starts_on=date(2025, 1, 1), ends_on=date(2025, 1, 31))
    with pytest.raises(ValidationError):
        services.round_contact(actor=worker, round=past, household=world.household, answers={"0": 0})
    with pytest.raises(ValidationError):
        survey(world, questions=[{"text": "只有一个选项", "options": ["好"]}])
    with pytest.raises(ValidationError):
        survey(world, grids=[world.far_grid])
    with pytest.raises(PermissionDenied):
        services.round_create(
            actor=world.user("gridleader"),
            community=world.community,
            kind="publicity",
            title="反诈宣传",
            grids=[world.grid],
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 1, 2),
        )


def test_a_publicity_round_has_no_questions(world):
    rnd = survey(world, kind=Round.Kind.PUBLICITY, title="反诈宣传入户", theme="反诈宣传", questions=[])
    services.round_contact(actor=world.user("gridworker"), round=rnd, household=world.household, note="发放反诈手册")
    assert selectors.round_coverage(rnd)[0]["percent"] == 100.0
    assert selectors.round_results(rnd) == []


# ---- supporting forces and flags --------------------------------------------------------------------------------


def test_supporting_forces_are_audited(world):
    staff = world.user("staff")
    force = services.force_add(actor=staff, grid=world.grid, kind="police", name="刘警官", organisation="城东派出所")
    with pytest.raises(PermissionDenied):
        services.force_add(actor=world.user("far_staff"), grid=world.grid, kind="police", name="x")
    with pytest.raises(ValidationError):
        services.force_add(actor=staff, grid=world.grid, kind="wizard", name="x")
    services.force_remove(actor=staff, force=force)
    assert list(AuditEntry.objects.filter(target_type="gridwork.supportingforce").values_list("action", flat=True).order_by("pk")) == [
        "create",
        "delete",
    ]


def test_grids_without_exactly_one_full_time_worker_are_flagged(world):
    # The far community's comprehensive grid has one full-time worker; grids 1 and 2 are comprehensive with one each.
    assert selectors.flagged_grids([world.other_community.pk]) == {}
    u = User.objects.create_user("second", password=PASSWORD)
    roles.role_assign(actor=world.admin, user=u, role=Role.GRID_WORKER, grid=world.far_grid)
    assert selectors.flagged_grids([world.other_community.pk]) == {world.far_grid.pk: 2}


def test_yes_no_query_parameters_take_only_yes_or_no(client, world):
    """Regression (issue 27): ``follow_up`` on the sentiments API took any value as "no"."""
    from django.urls import reverse

    from tests.conftest import signed_in

    signed_in(client, world.user("gridworker"))
    for name, url in (("follow_up", reverse("api-sentiments")), ("open", reverse("api-patrols"))):
        for good in ("true", "false", "1", "0"):
            assert client.get(url, {name: good}).status_code == 200
        r = client.get(url, {name: "yes-please"})
        assert r.status_code == 400 and name in r.json()
