"""Demo councils, made through the services, as people would."""

import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linli.accounts.models import User
from linli.councils import services
from linli.councils.models import Member
from linli.councils.voting import Rule
from linli.registry.models import Ownership, Place, PlaceKind, Relationship, Resident


def _photo():
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (64, 48), (220, 80, 60)).save(out, format="JPEG")
    return SimpleUploadedFile("proof.jpg", out.getvalue(), content_type="image/jpeg")


def seed_ownerships(*, community: Place, seed: int) -> int:
    """Every dwelling gets an owner of record: the household head where the owner lives there,
    an invented owner otherwise; some owners hold two dwellings."""
    rng = random.Random(seed)
    rows = []
    heads = {
        r.household.dwelling_id: r
        for r in Resident.objects.filter(household__dwelling__community=community, relationship=Relationship.HEAD).select_related(
            "household"
        )
    }
    landlords = [f"landlord-{i}" for i in range(200)]
    for d in Place.objects.filter(community=community, kind=PlaceKind.DWELLING).values_list("pk", "use"):
        pk, use = d
        head = heads.get(pk)
        if head and use == "owner" and head.id_number_digest:
            rows.append(Ownership(dwelling_id=pk, owner_key=head.id_number_digest, owner_name=head.name, resident=head))
        else:
            key = rng.choice(landlords)
            rows.append(Ownership(dwelling_id=pk, owner_key=key, owner_name=f"业主{key[-3:]}"))
    Ownership.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def seed_councils(*, community: Place, seed: int) -> None:
    rng = random.Random(seed)
    staff, secretary = User.objects.get(username="staff"), User.objects.get(username="secretary")
    worker, resident = User.objects.get(username="gridworker"), User.objects.get(username="resident")
    compound = resident.resident.household.dwelling
    compound = Place.objects.get(path=compound.path[:16])
    council = services.council_create(
        actor=staff, community=community, compound=compound, name=f"{compound.name}邻里议事会", support_threshold=3
    )
    for name, role, user in [
        ("李书记", Member.Role.CONVENER, secretary),
        ("陈静", Member.Role.GRID_WORKER, worker),
        ("张大爷", Member.Role.RESIDENT_REP, resident),
        ("王芳", Member.Role.PARTY_MEMBER, staff),
        ("赵师傅", Member.Role.RED_STEWARD, None),
        ("孙经理", Member.Role.PROPERTY, None),
        ("钱主任", Member.Role.OWNERS_COMMITTEE, None),
        ("周小哥", Member.Role.NEW_ECONOMY, None),
    ]:
        services.member_add(actor=staff, council=council, name=name, role=role, user=user)
    services.council_create(actor=staff, community=community, name="和美社区居民议事会", kind="residents", support_threshold=10)
    services.council_create(actor=staff, community=community, name="和美社区四方议事会", kind="four_party", support_threshold=5)

    titles = [
        "楼下电动车乱停，希望划定停放区",
        "小区宠物扰民问题",
        "晾衣杆安装位置",
        "健身广场夜间噪音",
        "充电桩增设",
        "楼道堆物清理",
        "绿化带改停车位",
        "垃圾分类投放点位置",
    ]
    steps = ["collect", "accept", "comment", "deliberate", "decide", "implement"]
    for i, title in enumerate(titles[:6]):
        # Raised five weeks ago, each step a week after the last (会前公示 lasts at least five days).
        moments = iter(timezone.now() - timedelta(days=7 * (5 - k)) for k in range(6))
        t = services.topic_propose(
            actor=resident, council=council, title=title, description="居民提出，希望议事会协商解决。", now=next(moments)
        )
        while t.step != steps[min(i, 4)]:
            t = services.topic_advance(actor=staff, topic=t, note="按议事程序推进", now=next(moments))
        if t.step in ("comment", "deliberate"):
            services.topic_comment(actor=worker, topic=t, text="走访中很多居民也提到这个问题。")
        if t.step == "decide":
            o1 = services.option_add(actor=staff, topic=t, title="方案一：在3栋东侧划定20个车位")
            services.option_add(actor=staff, topic=t, title="方案二：利用南门空地建车棚")
            m = services.meeting_schedule(
                actor=staff,
                council=council,
                kind="matter",
                title=f"一事一议：{t.title}",
                scheduled_at=timezone.now() - timedelta(days=3),
                location="社区党群服务中心",
                topics=[t],
            )
            for member in council.members.all()[:6]:
                services.meeting_sign_in(actor=staff, meeting=m, member=member)
            services.meeting_minutes(actor=staff, meeting=m, minutes="到会6人。讨论两个方案，多数倾向方案一。")
            v = services.vote_open(actor=staff, topic=t, rule=Rule.MAJORITY, option=o1, meeting=m)
            for j, member in enumerate(council.members.all()[:6]):
                services.ballot_cast(actor=staff, vote=v, choice="for" if j < 4 else "against", voter_key=f"m{member.pk}")
            v = services.vote_close(actor=staff, vote=v)
            if i == 5:
                r = services.resolution_publish(
                    actor=staff,
                    topic=t,
                    vote=v,
                    decision="在3栋东侧划定20个电动车停放位，物业负责施划和日常管理。",
                    responsible="红枫物业服务有限公司",
                    due_on=date.today() + timedelta(days=30),
                )
                services.resolution_progress(actor=staff, resolution=r, note="已完成现场测量，下周施划。")
    # One owners' vote on the maintenance fund (art. 278 items 6–8), open for ballots.
    moments = iter(timezone.now() - timedelta(days=7 * (5 - k)) for k in range(6))
    t = services.topic_propose(actor=resident, council=council, title="使用维修资金更换8栋电梯", now=next(moments))
    while t.step != "decide":
        t = services.topic_advance(actor=staff, topic=t, now=next(moments))
    v = services.vote_open(actor=staff, topic=t, rule=Rule.OWNERS_SPECIAL, compound=compound, closes_at=timezone.now() + timedelta(days=14))
    keys = list(Ownership.objects.filter(dwelling__path__startswith=compound.path).values_list("owner_key", flat=True).distinct())
    rng.shuffle(keys)
    for key in keys[: len(keys) // 2]:
        services.ballot_cast(actor=staff, vote=v, choice=rng.choices(["for", "against", "abstain"], [8, 1, 1])[0], voter_key=key)
    services.meeting_schedule(
        actor=staff,
        council=council,
        kind="monthly",
        title="十二月议事会",
        scheduled_at=timezone.now() + timedelta(days=10),
        location="社区党群服务中心",
    )
