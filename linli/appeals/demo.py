"""Demo appeals in every state, made through the services (as people would), then back-dated."""

import random
from datetime import timedelta

from django.utils import timezone

from linli.accounts.models import User
from linli.appeals import services
from linli.appeals.models import Appeal, Channel, Event
from linli.registry.models import Organisation, Place, PlaceKind

TEXTS = [
    ("facilities", "3栋2单元楼道灯不亮", "2单元三楼到五楼的楼道灯坏了一个星期，老人晚上上下楼看不见。"),
    ("facilities", "小区门口路灯坏了", "东门口的路灯晚上不亮，下班回来很黑，存在安全隐患。"),
    ("parking", "希望增设电动车充电桩", "小区电动车越来越多，只有两个充电桩，很多人从楼上拉线充电。"),
    ("parking", "消防通道被私家车占用", "5栋后面的消防通道每天晚上都停满了车。"),
    ("environment", "垃圾桶满了没人清理", "南门垃圾站周末没人清运，味道很大。"),
    ("environment", "楼道堆放杂物", "1单元楼道里堆了很多纸箱和旧家具，影响通行。"),
    ("pets", "有人遛狗不牵绳", "晚上广场上有几只大狗不牵绳，小孩害怕。"),
    ("pets", "狗叫扰民", "楼下住户的狗每天半夜叫，已经影响休息。"),
    ("dispute", "楼上噪音扰民", "楼上住户每天晚上十一点以后还在拖动家具。"),
    ("property", "电梯经常停运", "8栋电梯这个月坏了三次，有老人被困过。"),
    ("property", "单元门禁坏了", "单元门禁刷卡没反应，门一直开着。"),
    ("safety", "电动车在楼道充电", "有住户把电动车推进楼道充电，担心起火。"),
    ("elderly_care", "独居老人需要帮助", "住在一楼的独居老人腿脚不便，希望有人帮忙买菜。"),
    ("policy", "咨询高龄补贴怎么办理", "家里老人今年满80岁，想问高龄津贴需要哪些材料。"),
    ("greening", "树枝挡住窗户", "楼前的大树枝叶太密，挡住了二楼的采光。"),
    ("facilities", "健身器材损坏", "小广场的单杠松动了，孩子们在上面玩很危险。"),
    ("facilities", "下水道堵塞", "楼下下水道井盖冒水，路面都是污水。"),
    ("parking", "希望划定电动车停放区", "电动车乱停乱放，希望划出集中停放区域。"),
]
# (how many, the steps to take after submitting)
PLAN = [
    (4, []),
    (3, ["accept"]),
    (3, ["accept", "dispatch"]),
    (4, ["accept", "dispatch", "sign"]),
    (4, ["accept", "dispatch", "sign", "resolve"]),
    (10, ["accept", "dispatch", "sign", "resolve", "rate"]),
    (2, ["accept", "dispatch_org", "return"]),
    (2, ["accept", "dispatch", "sign", "escalate"]),
    (2, ["reject"]),
    (2, ["accept", "dispatch", "sign", "resolve", "rate_low"]),
]


def seed_appeals(*, community: Place, seed: int = 20261123) -> int:
    rng = random.Random(seed)
    staff = User.objects.get(username="staff")
    worker = User.objects.get(username="gridworker")
    resident = User.objects.get(username="resident")
    prop = Organisation.objects.get(name="红枫物业服务有限公司")
    grid_buildings = list(
        Place.objects.filter(community=community, kind=PlaceKind.BUILDING, grid__role_assignments__user=worker).order_by("path")
    )
    dwelling = resident.resident.household.dwelling
    from linli.appeals.models import Category

    categories = {c.code: c for c in Category.objects.filter(community__isnull=True)}
    made = 0
    now = timezone.now()
    for count, steps in PLAN:
        for _ in range(count):
            code, title, text = rng.choice(TEXTS)
            place = dwelling if rng.random() < 0.3 else rng.choice(grid_buildings)
            by_worker = rng.random() < 0.25
            appeal, _created = services.appeal_submit(
                actor=worker if by_worker else resident,
                place=place,
                title=title,
                description=text,
                channel=Channel.GRID_WORKER if by_worker else rng.choice([Channel.RESIDENT, Channel.QR]),
                category=categories[code],
                reporter_name="王奶奶" if by_worker else "",
                contact_phone="13800001234" if not by_worker else "",
            )
            for step in steps:
                if step == "accept":
                    services.appeal_accept(actor=staff, appeal=appeal)
                elif step == "dispatch":
                    services.appeal_dispatch(actor=staff, appeal=appeal, users=[worker])
                elif step == "dispatch_org":
                    services.appeal_dispatch(actor=staff, appeal=appeal, organisations=[prop])
                elif step == "sign":
                    services.appeal_sign(actor=worker, appeal=appeal)
                elif step == "resolve":
                    services.appeal_resolve(actor=worker, appeal=appeal, result="已到现场处理完毕，并拍照留存。")
                elif step == "rate":
                    services.appeal_rate(
                        actor=appeal.reporter or staff, appeal=appeal, rating=rng.choice([4, 5, 5, 5]), comment="谢谢，处理很及时"
                    )
                elif step == "rate_low":
                    services.appeal_rate(actor=appeal.reporter or staff, appeal=appeal, rating=2, comment="问题没有彻底解决")
                elif step == "return":
                    services.appeal_return(actor=User.objects.get(username="property"), appeal=appeal, reason="该区域不在本物业服务范围")
                elif step == "escalate":
                    services.appeal_escalate(actor=worker, appeal=appeal, reason="需要社区协调多个部门")
                elif step == "reject":
                    services.appeal_reject(actor=staff, appeal=appeal, reason="重复提交")
            # Spread the demo over the last weeks so lists and the board look lived in.
            shift = timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 10))
            appeal.refresh_from_db()
            Appeal.objects.filter(pk=appeal.pk).update(
                created_at=now - shift,
                sign_deadline=appeal.sign_deadline - shift if appeal.sign_deadline else None,
                complete_deadline=appeal.complete_deadline - shift if appeal.complete_deadline else None,
            )
            for e in Event.objects.filter(appeal=appeal):
                Event.objects.filter(pk=e.pk).update(created_at=e.created_at - shift)
            made += 1
    # One duplicate merged into an open appeal.
    target = Appeal.objects.filter(community=community, status="in_progress").first()
    dup, _ = services.appeal_submit(
        actor=resident, place=target.place, title=target.title, description="同一个问题，我也遇到了", channel=Channel.RESIDENT
    )
    services.appeal_merge(actor=staff, appeal=dup, into=target)
    return made + 1
