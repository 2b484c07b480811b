"""Demo volunteering for 和美社区: the 8 teams of the registry with their members (839
volunteers, as in Changfeng), a month of activities with check-ins, the points rules with a
themed campaign, the 36 caring shops with offers and redemptions, and partner units' purchases.

The people's own steps (the demo resident registering, signing up, scanning, redeeming) go
through the services; the month of history for 839 people is written in bulk and the running
sums are then set from the ledger, so hours = the sum of entries holds as it does live."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from linli.accounts.models import User
from linli.registry.models import CareTag, Organisation, Place, Resident
from linli.volunteers import services
from linli.volunteers.models import (
    Activity,
    ActivityKind,
    Availability,
    EntryKind,
    LedgerEntry,
    Membership,
    Redemption,
    RedemptionStatus,
    SignUp,
    Skill,
    Volunteer,
    VolunteerStatus,
)

VOLUNTEERS = 839
TEAM_SKILLS = {
    "乐修匠维修队": ("repair", "repair"),
    "红马甲巡逻队": ("patrol", "patrol"),
    "银龄互助队": ("elderly_care", "elderly"),
    "巾帼志愿队": ("elderly_care", "culture"),
    "青春志愿队": ("tutoring", "environment"),
    "法律援助队": ("legal", "anti_fraud"),
    "健康义诊队": ("medical", "health"),
    "反诈宣传队": ("publicity", "anti_fraud"),
}
ACTIVITY_TITLES = {
    "repair": ["义务维修小家电", "楼道灯具检修", "修自行车"],
    "patrol": ["夜间平安巡逻", "消防通道巡查"],
    "elderly": ["上门陪护独居老人", "助老理发", "陪老人体检"],
    "culture": ["邻里节文艺排练", "社区春晚彩排", "写春联送春联"],
    "environment": ["楼道清理", "垃圾分类宣传值守", "小区绿化补种"],
    "anti_fraud": ["反诈骗宣传进小区", "老年人防诈讲座"],
    "health": ["健康义诊", "测血压量血糖"],
}
OFFERS = [
    ("悦容美发", "free_service", "爱心义剪", 30),
    ("老街馄饨", "gift", "一碗爱心馄饨", 20),
    ("便民修鞋", "free_service", "免费修鞋一次", 20),
    ("暖心药店", "discount", "常用药九折", 10),
    ("晨光烘焙", "gift", "爱心面包一袋", 25),
    ("天天水果", "discount", "水果九五折", 10),
    ("金手指按摩", "free_service", "肩颈按摩20分钟", 60),
    ("佳美摄影", "free_service", "老人免费证件照", 40),
]


def seed_volunteers(*, community: Place, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    staff = User.objects.get(username="staff")
    now = timezone.now()
    today = timezone.localdate()

    services.kind_rule_save(actor=staff, community=community, kind=ActivityKind.ELDERLY, points_per_hour=15, bonus_points=5)
    campaign = services.campaign_create(
        actor=staff,
        community=community,
        name="邻里节志愿服务月",
        starts_on=today - timedelta(days=20),
        ends_on=today + timedelta(days=10),
        bonus_percent=50,
    )
    teams = []
    for org in Organisation.objects.filter(place=community, kind=Organisation.Kind.VOLUNTEER_TEAM).order_by("id"):
        teams.append(services.team_create(actor=staff, community=community, name=org.name, organisation=org))

    # 839 volunteers: residents of the community with an account each (unusable password:
    # they sign in by SMS in production), spread over the teams, one leader per team.
    demo_resident = User.objects.get(username="resident")
    residents = list(
        Resident.objects.filter(household__dwelling__community_id=community.pk, birth_date__year__lte=2006)
        .exclude(pk=demo_resident.resident_id)
        .exclude(pk__in=User.objects.filter(resident__isnull=False).values("resident_id"))
        .order_by("id")
        .values_list("pk", "name")
    )
    chosen = rng.sample(residents, min(VOLUNTEERS - 1, len(residents)))
    password = make_password(None)
    users = User.objects.bulk_create([User(username=f"v{pk}", display_name=name, password=password, resident_id=pk) for pk, name in chosen])
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(
                user=u,
                community=community,
                resident_id=u.resident_id,
                name=u.display_name,
                skills=[TEAM_SKILLS[teams[i % len(teams)].name][0]],
                availability=rng.sample(Availability.values, rng.randint(1, 2)),
                status=VolunteerStatus.PENDING if i % 97 == 0 else VolunteerStatus.ACTIVE,
                reviewed_at=now - timedelta(days=rng.randint(30, 700)),
            )
            for i, u in enumerate(users)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(team=teams[i % len(teams)], volunteer=v, leader=i < len(teams)) for i, v in enumerate(volunteers)]
    )

    # The demo resident (张大爷) registers and is approved like anyone: the 乐修匠 team.
    me = services.volunteer_register(
        actor=demo_resident, skills=[Skill.REPAIR, Skill.ELDERLY_CARE], availability=[Availability.WEEKEND], team=teams[0]
    )
    me = services.volunteer_review(actor=staff, volunteer=me, action="approve")

    # A month of activities (past ones with attendances), and the coming two weeks open for sign-up.
    active = [v for v in volunteers if v.status == VolunteerStatus.ACTIVE]
    by_team = {
        t.pk: [v for i, v in enumerate(volunteers) if teams[i % len(teams)].pk == t.pk and v.status == VolunteerStatus.ACTIVE]
        for t in teams
    }
    signups, entries = [], []
    activities = 0
    for day in range(-30, 15):
        if rng.random() < 0.35:
            continue
        team = rng.choice(teams)
        kind = TEAM_SKILLS[team.name][1]
        start = timezone.localtime(now + timedelta(days=day)).replace(hour=rng.choice([9, 14, 19]), minute=0, second=0, microsecond=0)
        length = rng.choice([2, 2, 3, 4])
        in_campaign = campaign.starts_on <= timezone.localdate(start) <= campaign.ends_on
        activity = Activity.objects.create(
            community=community,
            team=team,
            campaign=campaign if in_campaign else None,
            kind=kind,
            title=rng.choice(ACTIVITY_TITLES[kind]),
            location=rng.choice(["社区党群服务中心", "阳光花园广场", "和美广场", "红色驿站", "老年活动室"]),
            starts_at=start,
            ends_at=start + timedelta(hours=length),
            capacity=rng.choice([10, 15, 20, 30]),
            organiser=staff,
            description="",
        )
        activities += 1
        pool = by_team[team.pk] + rng.sample(active, 5)
        taken = rng.sample(pool, min(len(pool), rng.randint(activity.capacity // 2, activity.capacity)))
        past = activity.ends_at < now
        for v in taken:
            hours = None
            if past and rng.random() < 0.9:
                hours = min(Decimal(length), Decimal("8.0")) - (Decimal("0.5") if rng.random() < 0.2 else 0)
            signups.append((activity, v, hours))
        Activity.objects.filter(pk=activity.pk).update(taken=len(taken))
    made = SignUp.objects.bulk_create(
        [
            SignUp(
                activity=a,
                volunteer=v,
                checked_in_at=a.starts_at if h is not None else None,
                checked_out_at=a.starts_at + timedelta(hours=float(h)) if h is not None else None,
                hours=h,
            )
            for a, v, h in signups
        ]
    )
    for s, (a, _v, h) in zip(made, signups, strict=True):
        if h is not None:
            entries.append(
                LedgerEntry(
                    volunteer_id=s.volunteer_id,
                    kind=EntryKind.EARN,
                    hours=h,
                    points=services.points_for(a, h),
                    signup=s,
                    reason="扫码签到签退",
                    created_at=s.checked_out_at,
                )
            )
    # Earlier years, as one opening balance each (the service record before Linli).
    for v in active:
        past_hours = Decimal(rng.choice([0, 0, 4, 12, 30, 60, 120, 180, 320, 650]))
        if past_hours:
            entries.append(
                LedgerEntry(
                    volunteer_id=v.pk,
                    kind=EntryKind.EARN,
                    hours=past_hours,
                    points=int(past_hours) * 10,
                    reason="历年服务记录导入",
                    created_at=now - timedelta(days=400),
                )
            )
    LedgerEntry.objects.bulk_create(entries)
    sums = LedgerEntry.objects.filter(volunteer=OuterRef("pk")).values("volunteer").annotate(h=Sum("hours"), p=Sum("points"))
    Volunteer.objects.filter(community=community).update(
        hours=Coalesce(Subquery(sums.values("h")), Decimal("0")), points=Coalesce(Subquery(sums.values("p")), 0)
    )

    # The demo resident's own month: an activity served through the QR, another coming up.
    past = Activity.objects.filter(community=community, team=teams[0], ends_at__lt=now).order_by("-starts_at").first()
    if past is not None:
        Activity.objects.filter(pk=past.pk).update(capacity=past.capacity + 1)
        past.refresh_from_db()
        s = SignUp.objects.create(activity=past, volunteer=me)
        Activity.objects.filter(pk=past.pk).update(taken=past.taken + 1)
        services.hours_correct(
            actor=staff, signup=s, hours=Decimal(min(3, (past.ends_at - past.starts_at).seconds // 3600)), reason="组织者补录"
        )
    coming = Activity.objects.filter(community=community, starts_at__gt=now, taken__lt=F("capacity")).order_by("starts_at").first()
    if coming is not None:
        services.activity_sign_up(actor=demo_resident, activity=coming)

    # The caring shops' offers; volunteers and households in hardship redeemed some this month.
    hardship = list(CareTag.objects.filter(code__in=["low_income", "disabled", "elderly_alone"]))
    offers = []
    merchant_user = User.objects.get(username="merchant")
    for name, kind, title, cost in OFFERS:
        merchant = Organisation.objects.get(place=community, name=name)
        offers.append(
            services.offer_save(
                actor=merchant_user if name == "悦容美发" else staff,
                merchant=merchant,
                kind=kind,
                title=title,
                points_cost=cost,
                care_tags=hardship if kind == "free_service" else [],
                per_person_month=2,
            )
        )
    rich = [
        v
        for v in Volunteer.objects.filter(community=community, status=VolunteerStatus.ACTIVE, points__gte=100).exclude(user=demo_resident)[
            :60
        ]
    ]
    redeemed = 0
    for v in rich:
        offer = rng.choice(offers)
        code = services.code_issue(actor=v.user, offer=offer)
        confirmer = merchant_user if offer.merchant.name == "悦容美发" else None
        if confirmer is None:
            # Shops without a demo login: their counter confirmed it (written as it would be).
            Redemption.objects.filter(pk=code.pk).update(
                status=RedemptionStatus.REDEEMED, redeemed_at=now - timedelta(days=rng.randint(0, 20))
            )
            services._entry(volunteer_id=v.pk, kind=EntryKind.REDEEM, points=-code.points, reason=offer.title, redemption=code)
            type(offer).objects.filter(pk=offer.pk).update(used=offer.used + 1)
            offer.used += 1
        else:
            services.code_confirm(actor=confirmer, code=code.code)
        redeemed += 1

    partner_unit = Organisation.objects.get(place=community, name="区供电公司第三党支部")
    partner = User.objects.get(username="partner")
    for merchant_name, items, amount in (
        ("家乐粮油", "慰问困难户米面油", "3600"),
        ("晨光烘焙", "职工节日点心", "1280"),
        ("暖心药店", "防暑降温药品", "860"),
    ):
        services.purchase_record(
            actor=partner,
            buyer=partner_unit,
            merchant=Organisation.objects.get(place=community, name=merchant_name),
            bought_on=today - timedelta(days=rng.randint(0, 25)),
            amount=Decimal(amount),
            items=items,
        )
    shifts = _seed_duty(community=community, staff=staff, rng=rng, now=now)
    return {
        "volunteers": Volunteer.objects.filter(community=community).count(),
        "activities": activities,
        "redemptions": redeemed,
        "duty_shifts": shifts,
    }


def _seed_duty(*, community: Place, staff, rng, now) -> int:
    """值勤 at 阳光花园's gates: the past fortnight's shifts stood and checked out (the volunteers'
    hours credited through the ledger), and today's evening shift for the demo resident."""
    from linli.registry.models import PlaceKind

    compound = Place.objects.get(community=community, kind=PlaceKind.COMPOUND, name="阳光花园")
    gates = [services.duty_post_create(actor=staff, compound=compound, name=name) for name in ("东门岗", "南门岗")]
    standing = list(Volunteer.objects.filter(community=community, status="active").select_related("user").order_by("id")[:12])
    partner = User.objects.filter(username="partner").first()
    made = 0
    for days_back in range(14, 0, -1):
        day_start = timezone.localtime(now - timedelta(days=days_back)).replace(hour=18, minute=0, second=0, microsecond=0)
        for gate in gates:
            person = rng.choice(standing).user
            if partner is not None and days_back % 7 == 0 and gate.name == "南门岗":
                person = partner  # the partner unit's staff stand a shift a week (双报到)
            assigned = day_start - timedelta(days=2)
            shift = services.duty_shift_assign(
                actor=staff, post=gate, person=person, starts_at=day_start, ends_at=day_start + timedelta(hours=2), now=assigned
            )
            services.duty_check_in(actor=person, shift=shift, now=day_start - timedelta(minutes=rng.randint(0, 10)))
            services.duty_check_out(actor=person, shift=shift, now=day_start + timedelta(minutes=rng.choice([100, 115, 120, 130])))
            made += 1
    resident = User.objects.get(username="resident")
    if Volunteer.objects.filter(user=resident, status="active").exists():
        tonight = timezone.localtime(now).replace(hour=18, minute=0, second=0, microsecond=0)
        if tonight < now:
            tonight += timedelta(days=1)
        services.duty_shift_assign(actor=staff, post=gates[0], person=resident, starts_at=tonight, ends_at=tonight + timedelta(hours=2))
        made += 1
    return made
