"""The services' rules: 点单—配单—送单 with every transition and who may do it, agency cases,
the canteen's cut-off, capacity and discounts, and rooms that never double-book; the races on
PostgreSQL."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from PIL import Image

from linli.core.models import AuditEntry, Notification
from linli.registry import services as registry
from linli.resident_services import selectors, services
from linli.resident_services.models import Booking, BookingStatus, CaseStatus, Meal, MealOrder, OfferStatus, Order, OrderStatus
from tests.conftest import race, user_for_resident
from tests.resident_services.conftest import make_craftsman

TZ = ZoneInfo("Asia/Shanghai")


def photo(name="visit.jpg"):
    out = BytesIO()
    img = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    img.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def order(s, world, **kw):
    o, _created = services.order_create(actor=s.resident, service=s.repair, resident=world.resident, description="厨房油烟机不转了", **kw)
    return o


def offered(s, world, providers=None):
    o = order(s, world)
    return services.order_match(actor=s.staff, order=o, providers=providers or [s.fixer, s.other])


# ---- 点单 ------------------------------------------------------------------------------------------


def test_resident_orders_for_own_household_and_staff_hear_of_it(world, sworld):
    s = sworld
    o = order(s, world)
    assert o.status == OrderStatus.ORDERED and o.channel == "self" and o.place == world.resident.household.dwelling
    assert o.match_due > o.created_at
    assert Notification.objects.filter(recipient=s.staff, subject__contains="家电维修").exists()
    assert AuditEntry.objects.filter(target_type="services.order", target_id=str(o.pk), action="create", actor=s.resident).exists()


def test_ordering_for_others_follows_the_reach(world, sworld):
    s = sworld
    o, _ = services.order_create(actor=world.user("gridworker"), service=s.repair, resident=world.resident, description="门锁坏了")
    assert o.channel == "grid_worker"
    with pytest.raises(PermissionDenied):  # 李四 lives in the other grid
        services.order_create(actor=world.user("gridworker"), service=s.repair, resident=world.other_resident, description="x")
    with pytest.raises(PermissionDenied):  # a neighbour may not order for 张三
        services.order_create(actor=s.neighbour, service=s.repair, resident=world.resident, description="x")
    o, _ = services.order_create(actor=s.staff, service=s.repair, resident=world.other_resident, description="灯不亮")
    assert o.channel == "staff"


def test_care_only_service_refuses_others(world, sworld):
    s = sworld
    o, _ = services.order_create(actor=s.resident, service=s.bathing, resident=world.resident, description="每周助浴")
    assert o.pk
    with pytest.raises(ValidationError) as e:
        services.order_create(actor=s.neighbour, service=s.bathing, resident=world.other_resident, description="助浴")
    assert "service" in e.value.message_dict
    assert s.bathing not in selectors.services_for(world.community, world.other_resident)
    assert s.bathing in selectors.services_for(world.community, world.resident)


def test_double_submit_is_one_order(world, sworld):
    s = sworld
    a = order(s, world, idempotency_key="k1")
    b, created = services.order_create(
        actor=s.resident, service=s.repair, resident=world.resident, description="again", idempotency_key="k1"
    )
    assert a.pk == b.pk and not created and Order.objects.count() == 1


@pytest.mark.parametrize("field,kw", [("description", {"description": " "}), ("wanted_on", {"wanted_on": timezone.localdate() - timedelta(days=1)}),
                                      ("wanted_slot", {"wanted_slot": "midnight"})])  # fmt: skip
def test_order_input_is_validated(world, sworld, field, kw):
    s = sworld
    args = {"description": "修水管", **kw}
    with pytest.raises(ValidationError) as e:
        services.order_create(actor=s.resident, service=s.repair, resident=world.resident, **args)
    assert field in e.value.message_dict
    assert Order.objects.count() == 0


# ---- 配单 and the answers ---------------------------------------------------------------------------------


def test_only_staff_match_and_providers_are_told(world, sworld):
    s = sworld
    o = order(s, world)
    for who in (s.resident, world.user("gridworker"), s.fixer_user, world.user("far_staff"), world.user("street")):
        with pytest.raises(PermissionDenied):
            services.order_match(actor=who, order=o, providers=[s.fixer])
    o = services.order_match(actor=s.staff, order=o, providers=[s.fixer, s.other])
    assert o.status == OrderStatus.OFFERED and o.offers.count() == 2
    assert Notification.objects.filter(recipient=s.fixer_user, subject__contains="派单").exists()


def test_match_refuses_a_provider_of_another_community(world, sworld):
    s = sworld
    from linli.resident_services.models import Provider

    far = Provider.objects.create(community=world.other_community, kind="craftsman", name="外社区师傅", user=s.other_user)
    with pytest.raises(ValidationError):
        services.order_match(actor=s.staff, order=order(s, world), providers=[far])


def test_suggestions_rank_skill_place_and_load(world, sworld):
    s = sworld
    o = order(s, world)
    ranked = selectors.suggestions(o)
    assert ranked[0].provider == s.fixer  # repair skill, same building
    assert "同楼栋" in ranked[0].reasons and "技能对口" in ranked[0].reasons
    # Give the fixer five orders in hand: the load now outweighs the building.
    for _i in range(5):
        x = offered(s, world, [s.fixer])
        services.order_accept(actor=s.fixer_user, order=x, provider=s.fixer)
    assert selectors.suggestions(o)[0].provider == s.other


def test_accept_closes_the_other_offers_and_tells_the_resident(world, sworld):
    s = sworld
    o = offered(s, world)
    o = services.order_accept(actor=s.fixer_user, order=o, provider=s.fixer)
    assert o.status == OrderStatus.ACCEPTED and o.provider == s.fixer and o.deliver_due
    assert dict(o.offers.values_list("provider_id", "status")) == {s.fixer.pk: OfferStatus.ACCEPTED, s.other.pk: OfferStatus.CLOSED}
    with pytest.raises(ValidationError):
        services.order_accept(actor=s.other_user, order=o, provider=s.other)
    assert Notification.objects.filter(recipient=s.resident, subject__contains="已接单").exists()


def test_a_provider_answers_only_for_itself(world, sworld):
    s = sworld
    o = offered(s, world, [s.fixer])
    with pytest.raises(PermissionDenied):
        services.order_accept(actor=s.other_user, order=o, provider=s.fixer)
    with pytest.raises(ValidationError):  # offered to the fixer only
        services.order_accept(actor=s.other_user, order=o, provider=s.other)


def test_when_every_offer_is_declined_the_order_returns_to_staff(world, sworld):
    s = sworld
    o = offered(s, world)
    o = services.order_decline(actor=s.fixer_user, order=o, provider=s.fixer, reason="外地")
    assert o.status == OrderStatus.OFFERED
    o = services.order_decline(actor=s.other_user, order=o, provider=s.other)
    assert o.status == OrderStatus.ORDERED
    assert Notification.objects.filter(recipient=s.staff, subject__contains="婉拒").exists()
    o = services.order_match(actor=s.staff, order=o, providers=[s.fixer])  # offered again
    assert o.offers.get(provider=s.fixer).status == OfferStatus.OFFERED


def test_visit_with_photo_then_confirm_and_rate(world, sworld, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    s = sworld
    o = offered(s, world)
    with pytest.raises(ValidationError):  # not accepted yet
        services.order_deliver(actor=s.fixer_user, order=o, note="修好了")
    o = services.order_accept(actor=s.fixer_user, order=o, provider=s.fixer)
    with pytest.raises(PermissionDenied):  # the loser cannot record the visit
        services.order_deliver(actor=s.other_user, order=o, note="修好了")
    o = services.order_deliver(actor=s.fixer_user, order=o, note="更换电机，试运行正常", photos=[photo()])
    assert o.status == OrderStatus.DELIVERED and o.photos.count() == 1
    stored = Image.open(o.photos.get().image.path)
    assert not stored.getexif()  # the phone's metadata is gone
    with pytest.raises(PermissionDenied):
        services.order_confirm(actor=s.neighbour, order=o, rating=5)
    with pytest.raises(ValidationError):
        services.order_confirm(actor=s.resident, order=o, rating=6)
    o = services.order_confirm(actor=s.resident, order=o, rating=5, comment="师傅很耐心")
    assert o.status == OrderStatus.DONE and o.rating == 5 and o.flagged_at is None


def test_low_rating_reaches_staff(world, sworld):
    s = sworld
    o = services.order_accept(actor=s.fixer_user, order=offered(s, world), provider=s.fixer)
    o = services.order_deliver(actor=s.fixer_user, order=o, note="看过了")
    o = services.order_confirm(actor=s.resident, order=o, rating=1, comment="没修好")
    assert o.flag_reason == Order.Flag.LOW_RATING
    assert Notification.objects.filter(recipient=s.staff, subject__contains="低评价").exists()


def test_cancel_rules(world, sworld):
    s = sworld
    o = offered(s, world)
    with pytest.raises(ValidationError):
        services.order_cancel(actor=s.resident, order=o, reason="")
    o = services.order_cancel(actor=s.resident, order=o, reason="已自行修好")
    assert o.status == OrderStatus.CANCELLED and not o.offers.filter(status=OfferStatus.OFFERED).exists()
    o2 = services.order_accept(actor=s.fixer_user, order=offered(s, world), provider=s.fixer)
    with pytest.raises(ValidationError):  # once accepted only staff cancel
        services.order_cancel(actor=s.resident, order=o2, reason="不要了")
    assert services.order_cancel(actor=s.staff, order=o2, reason="居民外出").status == OrderStatus.CANCELLED


def test_late_orders_reach_staff_once(world, sworld):
    s = sworld
    o = order(s, world)
    later = o.match_due + timedelta(minutes=1)
    assert services.orders_flag_late(now=later) == 1
    assert services.orders_flag_late(now=later) == 0
    o.refresh_from_db()
    assert o.flag_reason == Order.Flag.MATCH_LATE
    o = services.order_accept(actor=s.fixer_user, order=services.order_match(actor=s.staff, order=o, providers=[s.fixer]), provider=s.fixer)
    assert services.orders_flag_late(now=o.deliver_due + timedelta(minutes=1)) == 1
    o.refresh_from_db()
    assert o.flag_reason == Order.Flag.DELIVER_LATE


def test_provider_sees_only_orders_offered_to_it(world, sworld):
    from linli.accounts.scope import scope_for
    from linli.resident_services import access

    s = sworld
    mine = offered(s, world, [s.fixer])
    other = offered(s, world, [s.other])
    seen = set(access.visible_orders(scope_for(s.fixer_user), s.fixer_user).values_list("pk", flat=True))
    assert mine.pk in seen and other.pk not in seen
    assert not access.can_view_order(scope_for(s.fixer_user), s.fixer_user, other)


def test_visit_finding_becomes_an_order(world, sworld):
    from linli.gridwork import services as gridwork
    from linli.gridwork.models import Finding

    s = sworld
    worker = world.user("gridworker")
    visit = gridwork.visit_record(actor=worker, household=world.household, content="老人说油烟机坏了")
    o = gridwork.finding_order(actor=worker, visit=visit, service=s.repair, resident=world.resident, description="油烟机坏了")
    assert o.channel == "visit" and Finding.objects.get(order=o).visit == visit


def test_appeal_becomes_an_order(world, sworld, new_appeal):
    s = sworld
    appeal = new_appeal()
    o, _ = services.order_create(
        actor=s.staff, service=s.repair, resident=world.resident, description=appeal.description, channel="appeal", source_appeal=appeal
    )
    assert o.source_appeal == appeal and o.channel == "appeal"
    with pytest.raises(PermissionDenied):  # an appeal the agent may not see is not a source
        services.order_create(
            actor=world.user("far_staff"), service=s.repair, resident=world.resident, description="x", source_appeal=appeal
        )


# ---- agency cases -----------------------------------------------------------------------------------------


def test_agency_case_steps_documents_and_the_resident_told(world, sworld):
    s = sworld
    worker = world.user("gridworker")
    case = services.case_open(actor=worker, resident=world.resident, matter="高龄补贴")
    steps = list(case.steps.all())
    assert [x.office for x in steps][:2] == ["社区服务站", "街道便民服务中心"] and case.documents.count() == 3
    with pytest.raises(PermissionDenied):
        services.case_open(actor=world.user("other_gridworker"), resident=world.resident, matter="残疾证")
    doc = case.documents.first()
    with pytest.raises(ValidationError):
        services.case_document(actor=worker, case=case, document=doc, action="return")  # not received yet
    services.case_document(actor=worker, case=case, document=doc, action="receive")
    services.case_step_done(actor=worker, case=case, step=steps[0], note="材料齐全")
    assert Notification.objects.filter(recipient=s.resident, body__contains="材料齐全").exists()
    with pytest.raises(PermissionDenied):
        services.case_step_done(actor=s.resident, case=case, step=steps[1])
    with pytest.raises(ValidationError):
        services.case_close(actor=worker, case=case, outcome="已到账")  # steps left
    for step in steps[1:]:
        services.case_step_done(actor=worker, case=case, step=step)
    case = services.case_close(actor=worker, case=case, outcome="补贴已到账，每月100元")
    assert case.status == CaseStatus.DONE
    with pytest.raises(PermissionDenied):
        services.case_step_add(actor=worker, case=case, title="回访")


# ---- the canteen -------------------------------------------------------------------------------------------


def menu(s, capacity=10, day=None, price="15.00"):
    return services.meal_publish(
        actor=s.staff,
        canteen=s.canteen,
        date=day or s.today + timedelta(days=1),
        kind="lunch",
        dishes="红烧肉、青菜、米饭",
        price=Decimal(price),
        capacity=capacity,
    )


def test_meal_prices_follow_age_and_care(world, sworld):
    s = sworld
    meal = menu(s)
    o, _created = services.meal_order(actor=s.resident, meal=meal, resident=world.resident)
    # 张三 is 66 (20 % off) and lives alone (50 % off): the better one.
    assert o.unit_price == Decimal("7.50") and o.discount_reason == "关怀优惠"
    o2, _ = services.meal_order(actor=s.neighbour, meal=meal, resident=world.other_resident, quantity=2)
    assert o2.unit_price == Decimal("15.00") and o2.amount == Decimal("30.00")
    meal.refresh_from_db()
    assert meal.taken == 3


def test_meal_double_submit_cutoff_and_capacity(world, sworld):
    s = sworld
    meal = menu(s, capacity=2)
    a, _ = services.meal_order(actor=s.resident, meal=meal, resident=world.resident)
    b, created = services.meal_order(actor=s.resident, meal=meal, resident=world.resident)
    assert a.pk == b.pk and not created
    with pytest.raises(ValidationError):
        services.meal_order(actor=s.neighbour, meal=meal, resident=world.other_resident, quantity=2)  # one place left
    meal.refresh_from_db()
    assert meal.taken == 1 and MealOrder.objects.count() == 1
    Meal.objects.filter(pk=meal.pk).update(cutoff_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError):
        services.meal_order(actor=s.neighbour, meal=meal, resident=world.other_resident)
    with pytest.raises(PermissionDenied):  # past the cut-off nobody cancels
        services.meal_order_cancel(actor=s.resident, meal_order=a)


def test_meal_cancel_frees_the_place_and_diners_are_counted(world, sworld):
    s = sworld
    meal = menu(s, day=s.today)
    services.meal_order(actor=s.resident, meal=meal, resident=world.resident, delivery=True)
    b, _ = services.meal_order(actor=s.neighbour, meal=meal, resident=world.other_resident, quantity=2)
    services.meal_order_cancel(actor=s.neighbour, meal_order=b)
    meal.refresh_from_db()
    assert meal.taken == 1
    assert services.meal_serve(actor=s.staff, meal=meal) == 1
    day = selectors.diners_per_day(s.canteen, s.today, s.today)
    assert day == [{"date": s.today, "diners": 1, "delivered": 1, "orders": 1, "amount": Decimal("7.50")}]


def test_far_resident_cannot_order_in_another_canteen(world, sworld):
    s = sworld
    far = user_for_resident(world, world.far_resident, "far")
    with pytest.raises(PermissionDenied):
        services.meal_order(actor=far, meal=menu(s), resident=world.far_resident)


# ---- rooms --------------------------------------------------------------------------------------------------


def slot(days=2, start=9, end=11):
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(start), tzinfo=TZ), datetime.combine(day, time(end), tzinfo=TZ)


def test_bookings_never_overlap(world, sworld):
    s = sworld
    a, b = slot()
    services.room_book(actor=s.resident, room=s.room, starts_at=a, ends_at=b, purpose="书法小组")
    with pytest.raises(ValidationError):
        services.room_book(actor=s.neighbour, room=s.room, starts_at=a + timedelta(hours=1), ends_at=b + timedelta(hours=1), purpose="合唱")
    # Touching ends are not an overlap.
    services.room_book(actor=s.neighbour, room=s.room, starts_at=b, ends_at=b + timedelta(hours=1), purpose="合唱")
    assert Booking.objects.count() == 2


@pytest.mark.parametrize("start,end", [(7, 9), (20, 22), (9, 9)])
def test_booking_within_opening_hours(world, sworld, start, end):
    s = sworld
    a, b = slot(start=start, end=end)
    with pytest.raises(ValidationError):
        services.room_book(actor=s.resident, room=s.room, starts_at=a, ends_at=b, purpose="活动")


def test_room_needing_approval(world, sworld):
    s = sworld
    red = services.room_save(actor=s.staff, community=world.community, name="红色驿站", kind="red_post", needs_approval=True)
    a, b = slot()
    bk = services.room_book(actor=s.resident, room=red, starts_at=a, ends_at=b, purpose="党员活动日", attendees=12)
    assert bk.status == BookingStatus.PENDING
    with pytest.raises(ValidationError):  # a request holds the slot
        services.room_book(actor=s.neighbour, room=red, starts_at=a, ends_at=b, purpose="x")
    with pytest.raises(PermissionDenied):
        services.booking_decide(actor=s.resident, booking=bk, approve=True)
    with pytest.raises(ValidationError):
        services.booking_decide(actor=s.staff, booking=bk, approve=False, reason="")
    bk = services.booking_decide(actor=s.staff, booking=bk, approve=False, reason="当天检修")
    assert bk.status == BookingStatus.REJECTED
    assert services.room_book(actor=s.neighbour, room=red, starts_at=a, ends_at=b, purpose="读书会").status == BookingStatus.PENDING


def test_far_resident_cannot_book_and_only_members_book_for_a_council(world, sworld):
    s = sworld
    far = user_for_resident(world, world.far_resident, "far")
    a, b = slot()
    with pytest.raises(PermissionDenied):
        services.room_book(actor=far, room=s.room, starts_at=a, ends_at=b, purpose="x")
    from linli.councils import services as councils

    council = councils.council_create(actor=s.staff, community=world.community, name="阳光花园议事会")
    with pytest.raises(ValidationError) as e:
        services.room_book(actor=s.neighbour, room=s.room, starts_at=a, ends_at=b, purpose="议事", council=council)
    assert "council" in e.value.message_dict


def test_exclusion_constraint_on_postgresql(world, sworld):
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    s = sworld
    a, b = slot()
    Booking.objects.create(room=s.room, booked_by=s.resident, purpose="a", starts_at=a, ends_at=b)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(room=s.room, booked_by=s.neighbour, purpose="b", starts_at=a + timedelta(minutes=30), ends_at=b)
    # A cancelled booking does not hold the slot.
    Booking.objects.create(room=s.room, booked_by=s.neighbour, purpose="c", starts_at=a, ends_at=b, status=BookingStatus.CANCELLED)


# ---- figures ------------------------------------------------------------------------------------------------


def test_figures(world, sworld):
    s = sworld
    o = services.order_accept(actor=s.fixer_user, order=offered(s, world), provider=s.fixer)
    o = services.order_confirm(actor=s.resident, order=services.order_deliver(actor=s.fixer_user, order=o, note="好了"), rating=4)
    order(s, world)
    f = selectors.figures(world.community, s.today - timedelta(days=1), s.today)
    assert f["total"]["orders"] == 2 and f["total"]["done"] == 1 and f["total"]["rating"] == 4
    assert f["services"][0]["name"] == "家电维修" and f["total"]["match_hours"]["n"] == 1
    assert f["craftsmen"] == {"total": 2, "by_origin": {"resident": 2}}


# ---- PostgreSQL races ----------------------------------------------------------------------------------------


def _pg():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_twenty_providers_accept_one_order_one_wins(world):
    _pg()
    staff = world.user("staff")
    pairs = [make_craftsman(world, f"c{i}") for i in range(20)]
    repair = services.service_save(actor=staff, community=world.community, name="维修", category="repair")
    o, _ = services.order_create(actor=world.user("resident"), service=repair, resident=world.resident, description="水龙头漏水")
    o = services.order_match(actor=staff, order=o, providers=[p for _u, p in pairs])
    results = race(20, lambda i: services.order_accept(actor=pairs[i][0], order=o, provider=pairs[i][1]))
    o.refresh_from_db()
    assert results.count("ok") == 1 and o.status == OrderStatus.ACCEPTED
    assert o.offers.filter(status=OfferStatus.ACCEPTED).count() == 1 and o.offers.filter(status=OfferStatus.CLOSED).count() == 19
    assert o.offers.get(status=OfferStatus.ACCEPTED).provider_id == o.provider_id


@pytest.mark.django_db(transaction=True)
def test_twenty_bookings_of_one_slot_one_wins(world):
    _pg()
    staff = world.user("staff")
    room = services.room_save(actor=staff, community=world.community, name="议事厅", opens_at=time(8), closes_at=time(21))
    users = []
    for i in range(20):
        hh = registry.household_create(actor=world.admin, dwelling=world.household.dwelling, number=f"B{i}")
        r = registry.resident_create(actor=world.admin, household=hh, name=f"居民{i}", gender="F")
        users.append(user_for_resident(world, r, f"booker{i}"))
    a, b = slot()
    results = race(20, lambda i: services.room_book(actor=users[i], room=room, starts_at=a, ends_at=b, purpose=f"活动{i}"))
    assert results.count("ok") == 1 and Booking.objects.filter(room=room).count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_meal_orders_for_the_last_five_places(world):
    _pg()
    from linli.resident_services.models import Canteen

    staff = world.user("staff")
    canteen = Canteen.objects.create(community=world.community, name="食堂", lunch_cutoff=time(23, 59))
    meal = services.meal_publish(
        actor=staff,
        canteen=canteen,
        date=timezone.localdate() + timedelta(days=1),
        kind="lunch",
        dishes="饺子",
        price=Decimal("12"),
        capacity=25,
    )
    Meal.objects.filter(pk=meal.pk).update(taken=20)
    people = []
    for i in range(20):
        hh = registry.household_create(actor=world.admin, dwelling=world.household.dwelling, number=f"M{i}")
        r = registry.resident_create(actor=world.admin, household=hh, name=f"食客{i}", gender="M")
        people.append((user_for_resident(world, r, f"diner{i}"), r))
    results = race(20, lambda i: services.meal_order(actor=people[i][0], meal=meal, resident=people[i][1]))
    meal.refresh_from_db()
    assert results.count("ok") == 5 and meal.taken == 25
    assert MealOrder.objects.filter(meal=meal).exclude(status="cancelled").count() == 5
