"""Past appeals in bulk, with realistic shares: categories, levels, channels, states (most
closed, the last weeks still open, some rejected and merged), ratings, signatures and
resolutions in and out of time, reopenings, call-backs and supervision; each with its submit and
closing events, its fact and its community's day summaries. Three years of about 25,000 a
community on a generated district for the benchmarks (``manage.py generate_appeals``), half a
year in the demo. No audit rows, no notifications: history, not activity."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from linli.appeals.models import Appeal, Category, Channel, Event, Level, Status
from linli.core.workdays import deadline_after, is_workday, overrides_between
from linli.dashboard.models import AppealDay, AppealFact
from linli.dashboard.selectors import COUNTS, SUMS
from linli.registry.models import Organisation, Place, PlaceKind
from linli.registry.vocabulary import building_path, compound_path

BATCH = 5000
LEVELS = [(Level.BUILDING, 15), (Level.GRID, 55), (Level.COMMUNITY, 22), (Level.EXTERNAL, 8)]
CHANNELS = [
    (Channel.RESIDENT, 25),
    (Channel.QR, 30),
    (Channel.GRID_WORKER, 25),
    (Channel.BUILDING_HEAD, 8),
    (Channel.PHONE, 10),
    (Channel.WALK_IN, 2),
]
TITLES = [
    "楼道灯不亮",
    "垃圾清运不及时",
    "电动车楼道充电",
    "下水道堵塞",
    "噪音扰民",
    "小区路面破损",
    "绿化带杂草丛生",
    "占用消防通道",
    "电梯故障",
    "外墙渗水",
]


def _pick(rng, weighted):
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


class AppealHistory:
    """Past appeals of a community, written in bulk with their events, facts and day summaries
    (the benchmark's three years; the demo's half year)."""

    def __init__(self, *, days: int, seed: int, label: str = "（基准数据）"):
        self.days, self.label = days, label
        self.rng = random.Random(seed)
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.now = timezone.now()
        self.categories = list(Category.objects.filter(community=None, parent=None))
        today = timezone.localdate()
        self.deadline, self.workdays_upto = {}, {}
        overrides = overrides_between(today - timedelta(days=days + 2), today + timedelta(days=30))
        count = 0
        for back in range(days + 2, -30, -1):  # cumulative working days: a difference gives "working days between"
            day = today - timedelta(days=back)
            count += is_workday(day, overrides)
            self.workdays_upto[day] = count
        for back in range(days + 2):
            day = today - timedelta(days=back)
            noon = datetime.combine(day, clock(12), tzinfo=self.tz)
            self.deadline[day] = {n: deadline_after(noon, n) for n in (1, 2, 3, 5)}
        # Historic moments are written as generated, not stamped "now" by auto_now(_add).
        self.stamped = [
            (f, f.auto_now, f.auto_now_add) for m in (Appeal, Event) for f in m._meta.fields if getattr(f, "auto_now_add", None) is not None
        ]

    def community(self, community, per_community: int) -> int:
        for f, _now, _add in self.stamped:
            f.auto_now = f.auto_now_add = False
        try:
            with transaction.atomic():
                return self._community(community, per_community, self.days, self.rng)
        finally:
            for f, now, add in self.stamped:
                f.auto_now, f.auto_now_add = now, add

    def _community(self, community, per_community, days, rng) -> int:
        dwellings = list(
            Place.objects.filter(path__startswith=community.path, kind=PlaceKind.DWELLING).values_list("pk", "path", "grid_id")[:20000]
        )
        if not dwellings:
            return 0
        company, _created = Organisation.objects.get_or_create(
            kind=Organisation.Kind.PROPERTY_COMPANY, place=community, name=f"{community.name}物业服务有限公司"
        )
        today = timezone.localdate()
        appeals, facts = [], []
        for i in range(per_community):
            back = min(int(rng.random() * days), days - 1)
            day = today - timedelta(days=back)
            created = datetime.combine(day, clock(rng.randint(7, 21), rng.randint(0, 59)), tzinfo=self.tz)
            if created > self.now:
                created = self.now - timedelta(minutes=rng.randint(1, 600))
                day = timezone.localdate(created)
            dwelling_id, path, grid_id = rng.choice(dwellings)
            category = rng.choice(self.categories)
            level = _pick(rng, LEVELS)
            a, f = self._one(community, company, category, level, created, day, back, dwelling_id, path, grid_id, rng)
            a.number = f"{day:%Y%m%d}{community.pk % 100:02d}{i:06d}"  # 16 digits: never a live number (14)
            appeals.append(a)
            facts.append(f)
        Appeal.objects.bulk_create(appeals, batch_size=BATCH)
        if connection.vendor == "sqlite":
            ids = dict(Appeal.objects.filter(number__in=[a.number for a in appeals]).values_list("number", "pk"))
            for a in appeals:
                a.pk = ids[a.number]
        events = []
        for a, f in zip(appeals, facts, strict=True):
            f.appeal_id = a.pk
            events.append(Event(appeal_id=a.pk, action="submit", to_status=Status.SUBMITTED, created_at=a.created_at))
            if a.status != Status.SUBMITTED:
                events.append(Event(appeal_id=a.pk, action=_closing_action(a.status), to_status=a.status, created_at=a.updated_at))
        Event.objects.bulk_create(events, batch_size=BATCH)
        AppealFact.objects.bulk_create(facts, batch_size=BATCH)
        # Day summaries by the same counting rules the services use.
        columns = {f"c_{k}": Count("pk", filter=q) for k, q in COUNTS.items()} | {f"c_{k}": a for k, a in SUMS.items()}
        rows = AppealFact.objects.filter(community=community).values("created_on").annotate(**columns).order_by()
        AppealDay.objects.filter(community=community).delete()
        AppealDay.objects.bulk_create(
            [AppealDay(community=community, day=r["created_on"], **{k[2:]: v for k, v in r.items() if k.startswith("c_")}) for r in rows],
            batch_size=BATCH,
        )
        return len(appeals)

    def _workdays(self, start, end) -> int:
        first, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        if last <= first:
            return 0
        return self.workdays_upto.get(last, self.workdays_upto[max(self.workdays_upto)]) - self.workdays_upto[first]

    def _one(self, community, company, category, level, created, day, back, dwelling_id, path, grid_id, rng):
        """One appeal and its fact: what happened to it, decided by its age and chance."""
        deadlines = self.deadline[day]
        sign_deadline = deadlines[1]
        complete_deadline = deadlines[category.complete_days if category.complete_days in deadlines else 5]
        fact = AppealFact(
            community_id=community.pk,
            grid_id=grid_id,
            compound_path=compound_path(path) or "",
            building_path=building_path(path) or "",
            category_id=category.pk,
            channel=_pick(rng, CHANNELS),
            level=level,
            created_at=created,
            created_on=day,
        )
        status = Status.CLOSED
        r = rng.random()
        if r < 0.03:
            status = Status.REJECTED
        elif r < 0.05:
            status = Status.MERGED
            fact.merged = True
        elif back < 3 and rng.random() < 0.6:
            status = rng.choice([Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS])
        elif back < 30 and rng.random() < 0.15:
            status = rng.choice([Status.IN_PROGRESS, Status.RESOLVED, Status.DISPATCHED])
        dispatched = status not in (Status.SUBMITTED, Status.ACCEPTED, Status.REJECTED)
        signed = status not in (Status.SUBMITTED, Status.ACCEPTED, Status.REJECTED, Status.DISPATCHED, Status.MERGED)
        done = status in (Status.RESOLVED, Status.CLOSED)
        updated = created
        if dispatched:
            fact.dispatched = True
            fact.sign_deadline = sign_deadline
            fact.complete_deadline = complete_deadline
            fact.lead_organisation_id = company.pk if category.routes_to_property else None
            fact.returns = 1 if rng.random() < 0.03 else 0
        if signed:
            late = rng.random() < 0.08
            at = sign_deadline + timedelta(hours=rng.randint(1, 30)) if late else created + timedelta(hours=rng.uniform(0.2, 20))
            at = min(at, sign_deadline) if not late else at
            fact.signed_at = min(at, self.now)
            fact.signed_in_time = fact.signed_at <= sign_deadline
            fact.sign_workdays = self._workdays(created, fact.signed_at)
            updated = fact.signed_at
        if done:
            late = rng.random() < 0.12
            at = (
                complete_deadline + timedelta(days=rng.randint(1, 6))
                if late
                else created + (complete_deadline - created) * rng.uniform(0.2, 0.98)
            )
            at = max(min(at, self.now), fact.signed_at or created)
            fact.resolved_at = at
            fact.resolved_in_time = at <= complete_deadline
            fact.resolve_workdays = self._workdays(created, at)
            fact.reopened = rng.random() < 0.04
            fact.revisited = rng.random() < 0.4
            if status == Status.CLOSED and rng.random() < 0.7:
                fact.rating = 5 if rng.random() < 0.6 else rng.choice([4, 4, 3, 2, 1])
            updated = at
        fact.supervised = dispatched and rng.random() < 0.02
        fact.status = status
        appeal = Appeal(
            community_id=community.pk,
            place_id=dwelling_id,
            grid_id=grid_id,
            category_id=category.pk,
            level=level,
            status=status,
            title=rng.choice(TITLES),
            description=self.label + rng.choice(TITLES),
            channel=fact.channel,
            tracking_salt=secrets.token_urlsafe(6),
            sign_deadline=fact.sign_deadline,
            complete_deadline=fact.complete_deadline,
            supervised_at=updated if fact.supervised else None,
            resolved_at=fact.resolved_at,
            rating=fact.rating,
            closed_at=updated if status == Status.CLOSED else None,
            result="已处理" if done else "",
            created_at=created,
            updated_at=updated,
        )
        return appeal, fact


def _closing_action(status: str) -> str:
    return {
        Status.REJECTED: "reject",
        Status.MERGED: "merge",
        Status.ACCEPTED: "accept",
        Status.DISPATCHED: "dispatch",
        Status.IN_PROGRESS: "sign",
        Status.RESOLVED: "resolve",
        Status.CLOSED: "rate",
    }.get(status, "accept")
