"""Bulk generation of registry data: the demo community and the district-scale benchmark set.

Rows are built in memory per community and written with bulk_create: treebeard paths are
computed here (same scheme as MP_Node.add_child) instead of one INSERT + UPDATE per node.
The same seed always gives the same data. Names and addresses are invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from linli.core import crypto, idcard
from linli.core.masking import mask_id_number, mask_phone
from linli.registry.models import (
    CareTag,
    DwellingUse,
    Grid,
    GridKind,
    Household,
    ManagementStatus,
    Place,
    PlaceKind,
    Registration,
    Relationship,
    Resident,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_M = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国志文斌海峰亮成"
GIVEN_F = "芳娜敏静丽艳娟霞燕玲桂英秀兰慧莉婷雪琳倩颖洁佳玉萍红梅琴云莹欣怡悦晶月"
# Region codes of ID numbers: people are born all over the province, not only here.
REGIONS = ("341102", "341103", "341122", "341124", "341181", "340102", "340104", "340826", "320106", "370102")


def _pinyin_table() -> dict[str, tuple[str, str]]:
    from pypinyin import Style, lazy_pinyin

    chars = set(SURNAMES + GIVEN_M + GIVEN_F)
    return {c: (lazy_pinyin(c)[0], lazy_pinyin(c, style=Style.FIRST_LETTER)[0]) for c in chars}


@dataclass
class Counts:
    places: int = 0
    grids: int = 0
    households: int = 0
    residents: int = 0
    tagged: int = 0


@dataclass
class CompoundSpec:
    name: str
    status: str
    buildings: int
    units_per_building: int
    floors: int
    per_floor: int


@dataclass
class Generator:
    seed: int = 20261123
    counts: Counts = field(default_factory=Counts)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.pinyin = _pinyin_table()
        self.tags = {t.code: t for t in CareTag.objects.all()}
        self.id_sequences: dict[tuple[str, date, str], int] = {}
        self.today = date(2026, 11, 1)

    # ---- places ---------------------------------------------------------------------
    def root(self, *, kind: str, name: str, code: str = "") -> Place:
        existing = Place.objects.get_last_root_node()
        step = (Place._str2int(existing.path[: Place.steplen]) + 1) if existing else 1
        node = Place(kind=kind, name=name, code=code, path=Place._get_path(None, 1, step), depth=1, numchild=0)
        node.save()
        self.counts.places += 1
        return node

    def child(self, parent: Place, *, kind: str, name: str, save: bool = False, **extra) -> Place:
        """A child with its path computed; saved at once only when asked (upper levels)."""
        parent.numchild += 1
        community_id = None
        if kind not in (PlaceKind.COMMUNITY, PlaceKind.STREET, PlaceKind.DISTRICT):
            community_id = parent.pk if parent.kind == PlaceKind.COMMUNITY else parent.community_id
        address = (
            ""
            if kind in (PlaceKind.COMMUNITY, PlaceKind.STREET)
            else (name if parent.kind == PlaceKind.COMMUNITY else f"{parent.address} {name}")
        )
        node = Place(
            kind=kind,
            name=name,
            path=Place._get_path(parent.path, parent.depth + 1, parent.numchild),
            depth=parent.depth + 1,
            numchild=0,
            community_id=community_id,
            address=address,
            grid_id=extra.pop("grid_id", parent.grid_id if kind in (PlaceKind.UNIT, PlaceKind.DWELLING) else None),
            **extra,
        )
        if save:
            node.save()
            Place.objects.filter(pk=parent.pk).update(numchild=parent.numchild)
        self.counts.places += 1
        return node

    # ---- people ---------------------------------------------------------------------
    def _name(self, gender: str) -> tuple[str, str, str]:
        surname = self.rng.choice(SURNAMES)
        given_chars = GIVEN_M if gender == "M" else GIVEN_F
        given = "".join(self.rng.choice(given_chars) for _ in range(self.rng.choice((1, 2, 2))))
        name = surname + given
        full = "".join(self.pinyin[c][0] for c in name)
        initials = "".join(self.pinyin[c][1] for c in name)
        return name, full, initials

    def _id_number(self, born: date, gender: str) -> str:
        region = self.rng.choice(REGIONS)
        key = (region, born, gender)
        # Odd sequences are men, even are women; a counter per (region, date, gender) keeps numbers unique.
        n = self.id_sequences.get(key, 1 if gender == "M" else 0) + 2
        if n > 999:
            region, key = "341100", (f"341100-{region}", born, gender)
            n = self.id_sequences.get(key, 1 if gender == "M" else 0) + 2
        self.id_sequences[key] = n
        return idcard.make(region, born, n)

    def _born(self, age_low: int, age_high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(age_low * 365, age_high * 365 + 364))

    def _phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randint(0, 999999999):09d}"

    def person(
        self, household: Household, *, relationship: str, gender: str, age: tuple[int, int], registration: str
    ) -> tuple[Resident, list[str]]:
        born = self._born(*age)
        name, full, initials = self._name(gender)
        id_number = self._id_number(born, gender)
        phone = self._phone() if age[0] >= 16 and self.rng.random() < 0.85 else ""
        r = Resident(
            household=household,
            name=name,
            name_pinyin=full,
            name_initials=initials,
            gender=gender,
            birth_date=born,
            id_number=id_number,
            id_number_digest=crypto.digest(id_number),
            id_number_masked=mask_id_number(id_number),
            phone=phone,
            phone_digest=crypto.digest(phone) if phone else "",
            phone_masked=mask_phone(phone),
            registration=registration,
            relationship=relationship,
        )
        return r, []

    def household_members(self, household: Household, *, rented: bool) -> list[tuple[Resident, list[str]]]:
        rng = self.rng
        registration = (
            Registration.LIUDONG if rented and rng.random() < 0.7 else (Registration.HUJI if rng.random() < 0.88 else Registration.CHANGZHU)
        )
        shape = rng.choices(["single_old", "couple_old", "couple", "family", "three_gen", "single"], weights=[7, 12, 14, 40, 17, 10])[0]
        g1 = rng.choice("MF")
        other = "F" if g1 == "M" else "M"
        people: list[tuple[Resident, list[str]]] = []

        def add(rel, gender, age):
            people.append(self.person(household, relationship=rel, gender=gender, age=age, registration=registration))

        if shape == "single_old":
            add(Relationship.HEAD, g1, (70, 92))
        elif shape == "couple_old":
            add(Relationship.HEAD, "M", (62, 88))
            add(Relationship.SPOUSE, "F", (60, 86))
        elif shape == "couple":
            add(Relationship.HEAD, g1, (24, 45))
            add(Relationship.SPOUSE, other, (23, 45))
        elif shape == "family":
            add(Relationship.HEAD, g1, (32, 52))
            add(Relationship.SPOUSE, other, (30, 50))
            for _ in range(rng.choice((1, 1, 2))):
                add(Relationship.CHILD, rng.choice("MF"), (1, 20))
        elif shape == "three_gen":
            add(Relationship.HEAD, g1, (34, 50))
            add(Relationship.SPOUSE, other, (32, 50))
            add(Relationship.CHILD, rng.choice("MF"), (2, 16))
            add(Relationship.PARENT, rng.choice("MF"), (62, 85))
        else:
            add(Relationship.HEAD, g1, (20, 60))
        # Care tags as a community worker would record them.
        for r, tags in people:
            age = (self.today - r.birth_date).days // 365
            if shape == "single_old":
                tags.append("elderly_alone")
            if shape == "couple_old":
                tags.append("empty_nest")
            if rng.random() < 0.02:
                tags.append("disabled")
            if rng.random() < 0.015 and r.relationship == Relationship.HEAD:
                tags.append("low_income")
            if age >= 40 and rng.random() < 0.012 and r.gender == "M":
                tags.append("veteran")
            if age >= 65 and rng.random() < 0.03:
                tags.append("five_elders")
            if age >= 22 and rng.random() < 0.09:
                tags.append("party_member")
                if age < 60 and rng.random() < 0.4:
                    tags.append("on_duty_party_member")
            if 16 <= age <= 75 and rng.random() < 0.11:
                tags.append("volunteer")
        return people

    # ---- a whole community ------------------------------------------------------------
    def community(
        self,
        street: Place,
        *,
        name: str,
        code: str,
        compounds: list[CompoundSpec],
        grid_count: int,
        target_residents: int,
        grid_names: list[str] | None = None,
    ) -> tuple[Place, list[Grid]]:
        """One community with compounds, buildings, units, dwellings, grids, households and residents."""
        with transaction.atomic():
            community = self.child(street, kind=PlaceKind.COMMUNITY, name=name, save=True, code=code)
            grids = Grid.objects.bulk_create(
                [
                    Grid(
                        community=community,
                        code=f"{code}{i + 1:03d}",
                        kind=GridKind.COMPREHENSIVE,
                        name=(grid_names[i] if grid_names else f"{name}第{i + 1}网格"),
                    )
                    for i in range(grid_count)
                ]
            )
            self.counts.grids += grid_count
            compound_nodes, buildings, units, dwellings = [], [], [], []
            total_buildings = sum(c.buildings for c in compounds)
            b_index = 0
            for spec in compounds:
                compound = self.child(community, kind=PlaceKind.COMPOUND, name=spec.name, management_status=spec.status)
                compound_nodes.append(compound)
                for b in range(spec.buildings):
                    grid = grids[min(b_index * grid_count // total_buildings, grid_count - 1)]
                    b_index += 1
                    building = self.child(compound, kind=PlaceKind.BUILDING, name=f"{b + 1}栋", grid_id=grid.pk)
                    buildings.append(building)
                    for u in range(spec.units_per_building):
                        unit = self.child(building, kind=PlaceKind.UNIT, name=f"{u + 1}单元")
                        units.append(unit)
                        for floor in range(1, spec.floors + 1):
                            for door in range(1, spec.per_floor + 1):
                                dwellings.append(
                                    self.child(
                                        unit,
                                        kind=PlaceKind.DWELLING,
                                        name=f"{floor}{door:02d}",
                                        floor_area=Decimal(self.rng.choice((62, 75, 89, 96, 108, 119, 128, 143)))
                                        + Decimal(self.rng.randint(0, 99)) / 100,
                                    )
                                )
            for level in (compound_nodes, buildings, units):
                Place.objects.bulk_create(level, batch_size=2000)
            # Fill dwellings until the community has its people; the rest stay vacant.
            self.rng.shuffle(dwellings)
            households: list[Household] = []
            members: list[list[tuple[Resident, list[str]]]] = []
            people = 0
            for d in dwellings:
                if people >= target_residents:
                    d.use = DwellingUse.VACANT
                    continue
                rented = self.rng.random() < 0.18
                d.use = DwellingUse.RENTED if rented else DwellingUse.OWNER
                h = Household(dwelling=d, number="")
                households.append(h)
                group = self.household_members(h, rented=rented)
                members.append(group)
                people += len(group)
            dwellings.sort(key=lambda p: p.path)
            Place.objects.bulk_create(dwellings, batch_size=5000)
            for i, h in enumerate(households):
                h.dwelling_id = h.dwelling.pk
                h.number = f"{code[-6:]}-{i + 1:05d}"
            Household.objects.bulk_create(households, batch_size=5000)
            residents, tag_rows = [], []
            for h, group in zip(households, members, strict=True):
                for r, _tags in group:
                    r.household_id = h.pk
                    residents.append(r)
            Resident.objects.bulk_create(residents, batch_size=5000)
            through = Resident.care_tags.through
            for group in members:
                for r, tags in group:
                    tag_rows.extend(through(resident_id=r.pk, caretag_id=self.tags[t].pk) for t in tags if t in self.tags)
            through.objects.bulk_create(tag_rows, batch_size=10000)
            self.counts.households += len(households)
            self.counts.residents += len(residents)
            self.counts.tagged += len(tag_rows)
        return community, grids


def standard_compounds(rng: random.Random, n: int, prefix: str = "") -> list[CompoundSpec]:
    names = [
        "阳光花园",
        "翠柏苑",
        "锦绣家园",
        "梧桐里",
        "东园新村",
        "书香名邸",
        "康乐小区",
        "南湖湾",
        "金桂园",
        "紫荆苑",
        "和平里",
        "滨河湾",
    ]
    specs = []
    for i in range(n):
        high = rng.random() < 0.6
        specs.append(
            CompoundSpec(
                name=prefix + names[i % len(names)] + (str(i // len(names) + 1) if i >= len(names) else ""),
                status=ManagementStatus.PROPERTY,
                buildings=rng.randint(4, 8),
                units_per_building=rng.choice((1, 2, 3)),
                floors=rng.choice((18, 26)) if high else 6,
                per_floor=rng.choice((2, 4)) if high else 2,
            )
        )
    return specs
