"""Demo notices for 和美社区: a notice to the whole community (≈9,300 people), an urgent water
cut to the building head's compound with its stairwells' receipts half read, a grid's notice,
ad-hoc groups (the elderly living alone, a council's members) and replies, one turned into an
appeal. Published and delivered through the services; past readings are then written in bulk
and moved back in time (a demo shortcut: 9,000 people do not open it one by one)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from linli.accounts.models import Role, RoleAssignment, User
from linli.councils.models import Council
from linli.notices import services
from linli.notices.models import Notice, ReadVia, Receipt
from linli.registry.models import CareTag, Grid, Place, PlaceKind
from linli.registry.vocabulary import ancestor_at


def _age(notice: Notice, *, hours: float, read_share: float, rng: random.Random, door_share: float = 0.0) -> None:
    published = timezone.now() - timedelta(hours=hours)
    Notice.objects.filter(pk=notice.pk).update(published_at=published, delivered_at=published)
    ids = list(Receipt.objects.filter(notice=notice).order_by("pk").values_list("pk", flat=True))
    rng.shuffle(ids)
    read = ids[: int(len(ids) * read_share)]
    door = set(read[: int(len(read) * door_share)])
    for via, chosen in (
        (ReadVia.DOOR, [i for i in read if i in door]),
        (ReadVia.APP, [i for i in read if i not in door][::2]),
        (ReadVia.LINK, [i for i in read if i not in door][1::2]),
    ):
        for start in range(0, len(chosen), 2000):
            Receipt.objects.filter(pk__in=chosen[start : start + 2000]).update(
                read_at=published + timedelta(minutes=rng.randint(5, int(hours * 60) or 6)), read_via=via
            )


def seed_notices(*, community: Place, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    staff, secretary = User.objects.get(username="staff"), User.objects.get(username="secretary")
    worker, resident = User.objects.get(username="gridworker"), User.objects.get(username="resident")
    head = User.objects.get(username="buildinghead")
    head_place = RoleAssignment.objects.filter(user=head, role=Role.BUILDING_HEAD).select_related("place").first().place
    compound = ancestor_at(head_place, PlaceKind.COMPOUND)

    def publish(actor, **kw):
        notice, _created = services.notice_publish(actor=actor, community=community, **kw)
        services.notice_deliver(notice_id=notice.pk)
        return notice

    everyone = publish(
        secretary,
        place=community,
        title="文明城市创建倡议书",
        body="各位居民：我市正在创建全国文明城市，请大家爱护公共环境，不乱堆乱放，电动车不进楼道、不飞线充电。感谢支持！",
    )
    _age(everyone, hours=72, read_share=0.78, rng=rng, door_share=0.1)
    water = publish(
        staff,
        place=compound,
        title="明日停水通知",
        body="因供水管网维修，明天（周六）8:00—14:00停水，请提前储水。如有困难请联系楼栋长或社区。",
        priority="urgent",
    )
    _age(water, hours=5, read_share=0.55, rng=rng, door_share=0.15)
    Receipt.objects.filter(notice=water, read_at__isnull=True).update(
        reminders=F("reminders") + 1, reminded_at=timezone.now() - timedelta(hours=2)
    )
    grid = Grid.objects.filter(community=community).order_by("code").first()
    grid_notice = publish(worker, grid=grid, title="本周入户走访安排", body="本周三至周五网格员将入户走访，核对家庭信息，请大家支持。")
    _age(grid_notice, hours=30, read_share=0.6, rng=rng)

    alone = services.group_save(
        actor=staff, community=community, name="独居老人关爱群", source="tag", tag=CareTag.objects.get(code="elderly_alone")
    )
    council = Council.objects.filter(community=community).order_by("id").first()
    members = services.group_save(actor=staff, community=community, name=f"{council.name}成员", source="council", council=council)
    cold = publish(staff, group=alone, title="寒潮来临请注意保暖", body="未来三天有寒潮，网格员和志愿者会上门看望，请注意用电用气安全。")
    _age(cold, hours=20, read_share=0.5, rng=rng, door_share=0.6)
    meeting = publish(staff, group=members, title="议事会例会通知", body="本周五19:00在党群服务中心召开议事会例会，请准时参加。")
    _age(meeting, hours=26, read_share=0.9, rng=rng)

    services.notice_read(actor=resident, notice=water)
    services.reply_post(actor=resident, notice=water, text="我家老人腿脚不便，能否帮忙送两桶水？")
    problem, _ = services.reply_post(actor=resident, notice=everyone, text="3栋楼道里堆了很多纸箱，一直没人清理。")
    services.reply_to_appeal(actor=staff, reply=problem)
    return {
        "notices": Notice.objects.filter(community=community).count(),
        "notice_receipts": Receipt.objects.filter(notice__community=community).count(),
    }
