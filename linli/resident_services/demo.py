"""Demo services for 和美社区: the catalogue, the 乐修匠 brand with its 97 craftsmen (as in Xi'an:
unit staff and skilled residents), volunteer teams, a caring shop and a social organisation as
providers, two months of orders in every state, agency cases, a week of canteen menus with
orders, and the service centre's rooms with bookings.

Every order, case, meal order and booking goes through the services (so the rules, audit rows
and notifications are the live ones); only the timestamps of past history are then moved back."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db.models import F
from django.utils import timezone

from linli.accounts.models import User
from linli.registry.models import CareTag, Organisation, Place, PlaceKind, Resident
from linli.resident_services import services
from linli.resident_services.models import AgencyCase, Booking, Canteen, Meal, MealOrder, Order, Provider, Service

CRAFTSMEN = 97  # 乐修匠 in Xi'an: 97 craftsmen from unit staff and skilled residents
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
REPAIRS = [
    "厨房油烟机不转了",
    "卫生间水龙头一直滴水",
    "客厅灯不亮，开关没反应",
    "门锁坏了打不开",
    "洗衣机排不了水",
    "窗户合页松了关不严",
    "电视机没有信号",
    "下水道堵了",
]
MENUS = [
    "红烧肉、清炒时蔬、米饭",
    "番茄炒蛋、土豆丝、米饭",
    "清蒸鱼、青菜豆腐、米饭",
    "饺子（白菜猪肉）",
    "鸡腿、炒冬瓜、米饭",
    "牛肉面",
    "宫保鸡丁、炒青菜、米饭",
]


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


def seed_services(*, community: Place, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    staff = User.objects.get(username="staff")
    now = timezone.now()
    today = timezone.localdate()
    buildings = list(Place.objects.filter(path__startswith=community.path, kind=PlaceKind.BUILDING).order_by("path"))
    alone, disabled = CareTag.objects.get(code="elderly_alone"), CareTag.objects.get(code="disabled")

    # ---- providers -----------------------------------------------------------------------------------
    demo_craftsman = User.objects.get(username="craftsman")
    lixiu = services.provider_save(
        actor=staff, community=community, kind="craftsman", name="李师傅", brand="乐修匠", user=demo_craftsman, origin="resident",
        skills=["repair"], availability=["weekday_day", "weekend"], base=demo_craftsman.resident.household.dwelling.get_ancestors().get(kind=PlaceKind.BUILDING),
    )  # fmt: skip
    password = make_password(None)
    skilled = list(
        Resident.objects.filter(household__dwelling__community_id=community.pk, birth_date__year__lte=1990, birth_date__year__gte=1960)
        .exclude(pk=demo_craftsman.resident_id)
        .exclude(pk__in=User.objects.filter(resident__isnull=False).values("resident_id"))
        .order_by("id")
        .values_list("pk", "name")[:400]
    )
    chosen = rng.sample(skilled, CRAFTSMEN - 1)
    users = User.objects.bulk_create([User(username=f"c{pk}", display_name=name, password=password, resident_id=pk) for pk, name in chosen])
    units = list(Organisation.objects.filter(place=community, kind=Organisation.Kind.PARTNER_UNIT))
    origins = ["partner_unit"] * 4 + ["resident"] * 5 + ["third_party"]
    extra_skills = ["haircut", "driving", "elderly_care", "other"]
    Provider.objects.bulk_create(
        [
            Provider(
                community=community,
                kind="craftsman",
                name=f"{u.display_name}师傅",
                brand="乐修匠",
                user=u,
                origin=(o := rng.choice(origins)),
                organisation=rng.choice(units) if o == "partner_unit" and units else None,
                skills=["repair", *rng.sample(extra_skills, rng.randint(0, 1))],
                availability=rng.sample(["weekday_day", "weekday_evening", "weekend"], rng.randint(1, 2)),
                base=rng.choice(buildings),
            )
            for u in users
        ]
    )
    team = Organisation.objects.get(place=community, name="乐修匠维修队")
    team_provider = services.provider_save(
        actor=staff, community=community, kind="volunteer_team", name="乐修匠维修队", brand="乐修匠", organisation=team, skills=["repair"]
    )
    shop = Organisation.objects.get(place=community, name="悦容美发")
    barber = services.provider_save(
        actor=staff, community=community, kind="merchant", name="悦容美发（上门理发）", organisation=shop, skills=["haircut"]
    )
    social = Organisation.objects.get(place=community, name="和美社工服务中心")
    contact = User.objects.create_user("shegong-yang", password=None, display_name="社工 杨晓")
    carers = services.provider_save(
        actor=staff, community=community, kind="social_org", name="和美社工服务中心", organisation=social, user=contact,
        skills=["elderly_care", "legal"],
    )  # fmt: skip
    craftsmen = list(Provider.objects.filter(community=community, kind="craftsman").order_by("id"))

    # ---- the catalogue ----------------------------------------------------------------------------------
    def service(name, category, **kw):
        return services.service_save(actor=staff, community=community, name=name, category=category, **kw)

    repair = service("家电维修", "repair", skill="repair", description="油烟机、洗衣机、电视等小家电上门维修，老人免费", price_note="配件费自理",
                     providers=[*craftsmen[:40], team_provider], deliver_days=3)  # fmt: skip
    plumbing = service(
        "水电维修",
        "repair",
        skill="repair",
        description="水龙头、下水道、灯具开关",
        price_note="材料费自理",
        providers=craftsmen[40:],
        deliver_days=2,
    )
    bathing = service(
        "助浴上门",
        "elderly_care",
        skill="elderly_care",
        eligibility="care",
        care_tags=[alone, disabled],
        providers=[carers],
        deliver_days=5,
    )
    haircut = service(
        "上门理发",
        "elderly_care",
        skill="haircut",
        price=Decimal("10"),
        eligibility="care",
        care_tags=[alone, disabled],
        providers=[barber],
    )
    legal = service("法律咨询", "legal_aid", skill="legal", description="遗产、赡养、邻里纠纷等法律咨询", providers=[carers])
    service("全程代办", "agency", description="高龄补贴、残疾证、医保报销等事项，社区代办员全程代办", match_days=1, deliver_days=10)
    service("送餐上门", "canteen", description="长者食堂午餐送到家", eligibility="care", care_tags=[alone, disabled])

    # ---- orders: two months of history, and the demo people's own ------------------------------------------
    elderly = list(
        Resident.objects.filter(household__dwelling__community_id=community.pk, birth_date__year__lte=1960)
        .select_related("household__dwelling")
        .order_by("id")[:300]
    )
    gridworker = User.objects.get(username="gridworker")
    resident_user = User.objects.get(username="resident")
    made = []
    for _n in range(70):
        who = rng.choice(elderly)
        svc = rng.choice([repair, repair, repair, plumbing, plumbing, legal])
        order, _ = services.order_create(
            actor=staff, service=svc, resident=who, description=rng.choice(REPAIRS) if svc != legal else "想咨询子女赡养的问题"
        )
        fate = rng.random()
        if fate < 0.08:
            made.append((order, "ordered"))
            continue
        pool = [p for p in svc.providers.all()[:6] if p.user_id] or [carers]
        offered = rng.sample(pool, min(3, len(pool)))
        order = services.order_match(actor=staff, order=order, providers=offered)
        if fate < 0.14:
            made.append((order, "offered"))
            continue
        winner = offered[0]
        order = services.order_accept(actor=winner.user, order=order, provider=winner)
        if fate < 0.22:
            made.append((order, "accepted"))
            continue
        order = services.order_deliver(actor=winner.user, order=order, note="已上门处理，试用正常")
        if fate < 0.30:
            made.append((order, "delivered"))
            continue
        rating = rng.choices([5, 4, 3, 2], weights=[14, 5, 1, 1])[0]
        # Staff placed these for residents without phones and confirm after the return call (回访).
        made.append((services.order_confirm(actor=staff, order=order, rating=rating, comment="师傅很耐心" if rating >= 4 else ""), "done"))
    # Move the history back over two months: each step some hours after the one before.
    for order, _state in made:
        back = timedelta(days=rng.randint(3, 60), hours=rng.randint(0, 8))
        Order.objects.filter(pk=order.pk).update(
            created_at=F("created_at") - back,
            match_due=F("match_due") - back,
            matched_at=F("matched_at") - back + timedelta(hours=rng.randint(1, 20)),
            accepted_at=F("accepted_at") - back + timedelta(hours=rng.randint(21, 30)),
            deliver_due=F("deliver_due") - back,
            delivered_at=F("delivered_at") - back + timedelta(hours=rng.randint(31, 72)),
            done_at=F("done_at") - back + timedelta(hours=rng.randint(73, 90)),
        )
    cancelled, _ = services.order_create(actor=staff, service=repair, resident=elderly[0], description="窗户关不严")
    services.order_cancel(actor=staff, order=cancelled, reason="子女已修好")
    late, _ = services.order_create(actor=staff, service=plumbing, resident=elderly[1], description="下水道堵了")
    Order.objects.filter(pk=late.pk).update(created_at=now - timedelta(days=5), match_due=now - timedelta(days=3))
    services.orders_flag_late()

    # The demo resident (张大爷): a done repair, one on offer to the demo craftsman, one awaiting his confirmation.
    own = resident_user.resident
    first, _ = services.order_create(actor=resident_user, service=repair, resident=own, description="电视机没有信号")
    first = services.order_match(actor=staff, order=first, providers=[lixiu])
    first = services.order_accept(actor=demo_craftsman, order=first, provider=lixiu)
    first = services.order_deliver(actor=demo_craftsman, order=first, note="重新调试机顶盒，信号恢复")
    services.order_confirm(actor=resident_user, order=first, rating=5, comment="李师傅手艺好")
    waiting, _ = services.order_create(
        actor=resident_user, service=plumbing, resident=own, description="卫生间水龙头一直滴水", wanted_on=today + timedelta(days=2)
    )
    services.order_match(actor=staff, order=waiting, providers=[lixiu, craftsmen[41]])
    to_confirm, _ = services.order_create(actor=gridworker, service=repair, resident=own, description="厨房油烟机不转了")
    to_confirm = services.order_match(actor=staff, order=to_confirm, providers=[lixiu])
    to_confirm = services.order_accept(actor=demo_craftsman, order=to_confirm, provider=lixiu)
    services.order_deliver(actor=demo_craftsman, order=to_confirm, note="更换电机电容，试运行正常")
    from linli.resident_services.access import eligible

    for care in (bathing, haircut):
        if eligible(care, own):
            services.order_create(actor=resident_user, service=care, resident=own, description="每周一次上门服务")

    # ---- agency cases ----------------------------------------------------------------------------------------
    case = services.case_open(actor=gridworker, resident=own, matter="高龄补贴", due_on=today + timedelta(days=20))
    steps = list(case.steps.all())
    for d in case.documents.all():
        services.case_document(actor=gridworker, case=case, document=d, action="receive")
    services.case_step_done(actor=gridworker, case=case, step=steps[0], note="材料齐全，已录入系统")
    services.case_step_done(actor=gridworker, case=case, step=steps[1], note="街道已审核通过")
    done_case = services.case_open(actor=staff, resident=elderly[5], matter="医保报销", agent=gridworker)
    for step in done_case.steps.all():
        services.case_step_done(actor=gridworker, case=done_case, step=step)
    services.case_close(actor=gridworker, case=done_case, outcome="报销款2,386.40元已到账")
    services.case_open(actor=staff, resident=elderly[7], matter="残疾证", agent=gridworker)
    AgencyCase.objects.filter(pk=done_case.pk).update(opened_at=now - timedelta(days=25))

    # ---- the canteen --------------------------------------------------------------------------------------------
    canteen = Canteen.objects.create(community=community, name="和美长者食堂", address="和美社区党群服务中心一楼（原闲置储藏室）")
    canteen.care_tags.set([alone, disabled])
    meals = []
    for offset in range(-2, 5):
        day, dishes = today + timedelta(days=offset), MENUS[offset % len(MENUS)]
        if offset < 0:  # the past two days (menus cannot be published for the past)
            meals.append(_past_meal(canteen, day, dishes))
        else:
            meals.append(
                services.meal_publish(actor=staff, canteen=canteen, date=day, kind="lunch", dishes=dishes, price=Decimal("15"), capacity=80)
            )
    diners = elderly[:120]
    meal_orders = 0
    for meal in meals:
        closed_at = meal.cutoff_at
        if closed_at <= now:  # history: open the meal while its orders are written, then close it again
            Meal.objects.filter(pk=meal.pk).update(cutoff_at=now + timedelta(hours=1))
            meal.refresh_from_db()
        for who in rng.sample(diners, rng.randint(35, 60)):
            services.meal_order(actor=staff, meal=meal, resident=who, delivery=rng.random() < 0.2)
            meal_orders += 1
        Meal.objects.filter(pk=meal.pk).update(cutoff_at=closed_at)
        if meal.date < today:
            services.meal_serve(actor=staff, meal=meal)
    tomorrow = next(m for m in meals if m.date == today + timedelta(days=1))
    services.meal_order(actor=resident_user, meal=tomorrow, resident=own)

    # ---- rooms ----------------------------------------------------------------------------------------------------
    hall = services.room_save(actor=staff, community=community, name="多功能活动室", kind="hall", location="党群服务中心二楼", seats=60)
    red = services.room_save(
        actor=staff, community=community, name="红色驿站", kind="red_post", location="阳光花园东门", seats=20, needs_approval=True
    )
    council_point = services.room_save(
        actor=staff,
        community=community,
        name="居民议事点",
        kind="council_point",
        location="党群服务中心一楼",
        seats=30,
        opens_at=time(9),
        closes_at=time(20),
    )
    services.room_save(
        actor=staff,
        community=community,
        name="书画室",
        kind="function",
        location="党群服务中心三楼",
        seats=16,
        open_weekdays=[0, 1, 2, 3, 4, 5],
    )

    def book(room, days, start, hours, purpose, actor=staff, **kw):
        day = today + timedelta(days=days)
        s = datetime.combine(day, time(start), tzinfo=_tz())
        return services.room_book(actor=actor, room=room, starts_at=s, ends_at=s + timedelta(hours=hours), purpose=purpose, **kw)

    book(hall, 1, 9, 2, "老年合唱团排练")
    book(hall, 2, 14, 2, "反诈宣传讲座")
    book(hall, 3, 19, 2, "邻里节筹备会")
    book(council_point, 2, 18, 2, "阳光花园电梯加装议事")
    book(red, 4, 9, 3, "党员活动日")
    book(red, 5, 14, 2, "书法兴趣小组", actor=resident_user)

    return {
        "service_providers": Provider.objects.filter(community=community).count(),
        "service_orders": Order.objects.filter(community=community).count(),
        "agency_cases": AgencyCase.objects.filter(community=community).count(),
        "meal_orders": MealOrder.objects.filter(meal__canteen=canteen).count(),
        "room_bookings": Booking.objects.filter(room__community=community).count(),
        "services_catalogue": Service.objects.filter(community=community).count(),
    }


def _past_meal(canteen: Canteen, day, dishes: str) -> Meal:
    return Meal.objects.create(
        canteen=canteen, date=day, kind="lunch", dishes=dishes, price=Decimal("15"), capacity=80,
        cutoff_at=datetime.combine(day, canteen.lunch_cutoff, tzinfo=_tz()),
    )  # fmt: skip
