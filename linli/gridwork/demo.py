"""Two weeks of grid work in 和美社区, through the services: a full-time grid worker in every
grid but one (flagged), a red steward with linked households, the 五位一体 roster, patrols on
the working days (some workers short of the rule), visits to the households with care tags
(some overdue), 民情 records, a satisfaction survey and an anti-fraud publicity round. Same
seed, same data."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from linli.accounts.models import Role, RoleAssignment, User
from linli.accounts.scope import scope_for
from linli.core.workdays import is_workday
from linli.gridwork import access, selectors, services
from linli.gridwork.models import SENTIMENT_TOPICS, Round, SupportingForce, Visit
from linli.registry.demo import DEMO_PASSWORD
from linli.registry.models import Grid, Household, Place
from linli.registry.services import roles
from linli.registry.vocabulary import grid_family

WORKER_NAMES = ["孙丽", "马超", "杨帆", "朱婷", "胡军", "郭敏", "何伟", "高静", "罗琳"]
NOTES = {
    "environment": ["楼道堆放纸箱，已提醒清理", "垃圾分类点异味大，居民希望增加清运"],
    "safety": ["单元门禁损坏，陌生人随意进出", "夜间路灯不亮，老人担心摔跤"],
    "property": ["物业维修响应慢，居民有意见", "电梯年检标志过期"],
    "parking": ["电动车楼道充电，存在隐患", "小区车位紧张，消防通道被占"],
    "elderly": ["独居老人希望有人定期上门", "老人想报名助餐点"],
    "dispute": ["楼上漏水引发邻里矛盾", "广场舞噪音扰民"],
    "policy": ["咨询医保缴费政策", "询问适老化改造补贴"],
    "fraud": ["老人接到冒充公检法电话，已宣传防范", "居民收到中奖短信，已提醒"],
    "other": ["希望社区多办亲子活动"],
}
VISIT_NOTES = [
    "老人身体状况良好，家中取暖正常。",
    "见到老人和子女，反映血压偏高，已提醒按时服药。",
    "家中卫生较好，老人希望有人陪聊天。",
    "低保金按时到账，询问明年复核材料。",
    "残疾人辅具使用正常，家属希望办理护理补贴。",
]


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


def seed_gridwork(*, community: Place, seed: int) -> dict[str, int]:
    rng = random.Random(seed + 10)
    admin = User.objects.get(username="admin")
    staff = User.objects.get(username="staff")
    grids = list(Grid.objects.filter(community=community, parent__isnull=True).order_by("code"))
    workers = _workers(admin, grids, rng)
    steward = _steward(admin, staff, grids[0])
    _forces(staff, grids)
    counts = {"patrols": _patrols(workers, rng), "visits": 0, "sentiments": 0}
    counts["visits"] = _visits(community, workers, steward, rng)
    counts["sentiments"] = _sentiments(workers, rng)
    counts["round_contacts"] = _rounds(staff, community, grids, workers, rng)
    return counts


def _workers(admin, grids, rng) -> dict[int, User]:
    """One full-time worker per grid (the demo's gridworker and gridworker2 in grids 1 and 2);
    the last grid's post is vacant — a part-time helper covers it, so the grid list flags it."""
    workers = {}
    names = iter(WORKER_NAMES)
    for i, grid in enumerate(grids):
        existing = RoleAssignment.objects.filter(role=Role.GRID_WORKER, grid=grid).select_related("user").first()
        if existing:
            workers[grid.pk] = existing.user
            continue
        user = User.objects.create_user(f"gw{i + 1:02d}", password=DEMO_PASSWORD, display_name=f"网格员 {next(names)}")
        full_time = i != len(grids) - 1
        roles.role_assign(actor=admin, user=user, role=Role.GRID_WORKER, grid=grid, full_time=full_time)
        workers[grid.pk] = User.objects.get(pk=user.pk)
    return workers


def _steward(admin, staff, grid) -> User:
    user = User.objects.create_user("steward", password=DEMO_PASSWORD, display_name="红色小管家 黄阿姨")
    roles.role_assign(actor=admin, user=user, role=Role.RED_STEWARD, grid=grid)
    households = list(
        Household.objects.filter(
            dwelling__grid_id__in=grid_family([grid.pk]), members__care_tags__code__in=["elderly_alone", "empty_nest", "disabled"]
        )
        .distinct()
        .order_by("dwelling__path")[:8]
    )
    for h in households:
        services.steward_link(actor=staff, steward=user, household=h)
    return User.objects.get(pk=user.pk)


def _forces(staff, grids):
    for i, grid in enumerate(grids):
        for kind, name, org in (
            (SupportingForce.Kind.POLICE, f"{'刘李张陈'[i % 4]}警官", "清风派出所"),
            (SupportingForce.Kind.DOCTOR, f"{'吴郑冯'[i % 3]}医生", "清风社区卫生服务中心"),
            (SupportingForce.Kind.LAWYER, "林律师", "皖江律师事务所"),
            (SupportingForce.Kind.VOLUNTEER, "红马甲巡逻队", "红马甲巡逻队"),
        ):
            services.force_add(actor=staff, grid=grid, kind=kind, name=name, organisation=org)


def _at(day, hour, minute) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=_tz())


def _patrols(workers: dict[int, User], rng) -> int:
    """The last 14 days: on each working day one to three patrols in the worker's compounds.
    Two workers are often short of the rule; today the demo grid worker has 25 minutes so far."""
    today = timezone.localdate()
    n = 0
    short = set(list(workers)[1:3])
    for grid_id, worker in workers.items():
        compounds = list(access.patrol_compounds(scope_for(worker)))
        if not compounds:
            continue
        for back in range(14, 0, -1):
            day = today - timedelta(days=back)
            if not is_workday(day) or rng.random() < 0.05:
                continue
            total = rng.randint(25, 58) if grid_id in short and rng.random() < 0.6 else rng.randint(60, 110)
            start = _at(day, rng.choice([8, 9, 14, 15]), rng.randint(0, 50))
            for part in _split(total, rng):
                p = services.patrol_start(actor=worker, compound=rng.choice(compounds), now=start, by_qr=rng.random() < 0.7)
                services.patrol_end(actor=worker, patrol=p, now=start + timedelta(minutes=part), note=rng.choice(["", "", "巡查正常"]))
                start += timedelta(minutes=part + rng.randint(10, 40))
                n += 1
    demo_worker = User.objects.get(username="gridworker")
    compounds = list(access.patrol_compounds(scope_for(demo_worker)))
    now = timezone.now()
    if compounds and is_workday(today) and timezone.localtime(now).hour >= 1:
        start = max(now - timedelta(minutes=40), _at(today, 0, 5))
        p = services.patrol_start(actor=demo_worker, compound=compounds[0], now=start, by_qr=True)
        services.patrol_end(actor=demo_worker, patrol=p, now=min(start + timedelta(minutes=25), now))
        n += 1
    return n


def _split(total: int, rng) -> list[int]:
    parts = rng.choice([1, 2, 2, 3])
    if parts == 1:
        return [total]
    cuts = sorted(rng.sample(range(5, total - 5), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _visits(community, workers, steward, rng) -> int:
    """Visits to the households with care tags over the last month; about one in six is left
    without a recent visit, so it shows on the overdue list."""
    n = 0
    now = timezone.now()
    for grid_id, worker in workers.items():
        targets = selectors.visit_targets(grid_ids=[grid_id], community_id=community.pk)
        for t in targets:
            if rng.random() < 0.17:  # last seen a little too long ago: overdue by 1–15 days
                days_ago = [t.every_days + rng.randint(1, 15)]
            else:
                days_ago = [rng.randint(0, min(t.every_days - 1, 27)) for _i in range(1 if t.every_days >= 14 else rng.randint(2, 4))]
            for back in days_ago:
                when = now - timedelta(days=back, hours=rng.randint(0, 6))
                services.visit_record(
                    actor=worker,
                    household=t.household,
                    kind=rng.choice([Visit.Kind.HOME, Visit.Kind.HOME, Visit.Kind.PHONE]),
                    content=rng.choice(VISIT_NOTES),
                    needs=rng.choice(["", "", "希望办理助餐", "需要维修水管"]),
                    visited_at=when,
                )
                n += 1
    for link in steward.steward_links.select_related("household")[:5]:
        services.visit_record(
            actor=steward,
            household=link.household,
            kind=Visit.Kind.STEWARD,
            content="小管家上门问候，老人一切安好。",
            visited_at=now - timedelta(days=rng.randint(0, 5)),
        )
        n += 1
    return n


def _sentiments(workers, rng) -> int:
    n = 0
    for worker in workers.values():
        households = list(access.visitable_households(scope_for(worker), worker).select_related("dwelling")[:200])
        for _i in range(rng.randint(2, 5)):
            topic = rng.choice(list(SENTIMENT_TOPICS))
            services.sentiment_record(
                actor=worker,
                household=rng.choice(households) if households else None,
                topics=[topic],
                mood=rng.choice(["good", "neutral", "neutral", "unhappy", "urgent"]),
                note=rng.choice(NOTES[topic]),
                follow_up_needed=rng.random() < 0.4,
            )
            n += 1
    return n


def _rounds(staff, community, grids, workers, rng) -> int:
    today = timezone.localdate()
    survey = services.round_create(
        actor=staff,
        community=community,
        kind=Round.Kind.SURVEY,
        title="2026年度居民满意度调查",
        grids=grids,
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=20),
        questions=[
            {"text": "您对社区服务满意吗？", "options": ["满意", "基本满意", "不满意"]},
            {"text": "您对小区物业服务满意吗？", "options": ["满意", "基本满意", "不满意"]},
            {"text": "您最希望社区改进哪方面？", "options": ["环境卫生", "停车", "养老服务", "治安"]},
        ],
    )
    publicity = services.round_create(
        actor=staff,
        community=community,
        kind=Round.Kind.PUBLICITY,
        title="反诈宣传入户",
        theme="反诈宣传",
        grids=grids[:4],
        starts_on=today - timedelta(days=5),
        ends_on=today + timedelta(days=25),
    )
    n = 0
    for i, grid in enumerate(grids):
        worker = workers[grid.pk]
        households = list(Household.objects.filter(dwelling__grid_id__in=grid_family([grid.pk])).order_by("pk"))
        rng.shuffle(households)
        share = [0.55, 0.4, 0.3, 0.2, 0.15][i % 5]
        for h in households[: int(len(households) * share)]:
            answers = {"0": rng.choices([0, 1, 2], [6, 3, 1])[0], "1": rng.choices([0, 1, 2], [4, 4, 2])[0], "2": rng.randint(0, 3)}
            services.round_contact(actor=worker, round=survey, household=h, answers=answers)
            n += 1
        if grid in grids[:4]:
            for h in households[: int(len(households) * 0.3)]:
                services.round_contact(actor=worker, round=publicity, household=h, note="发放反诈宣传册")
                n += 1
    return n
