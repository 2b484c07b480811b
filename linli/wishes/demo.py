"""Demo micro-wishes, made through the services, as people would: a campaign with wishes in
every state."""

import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linli.accounts.models import User
from linli.registry.models import Place, Resident
from linli.wishes import services as wish_services
from linli.wishes.models import WishCampaign


def _photo():
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (64, 48), (220, 80, 60)).save(out, format="JPEG")
    return SimpleUploadedFile("proof.jpg", out.getvalue(), content_type="image/jpeg")


def seed_wishes(*, community: Place, seed: int) -> int:
    rng = random.Random(seed)
    staff, worker = User.objects.get(username="staff"), User.objects.get(username="gridworker")
    partner = User.objects.get(username="partner")
    elderly = list(
        Resident.objects.filter(
            household__dwelling__grid__role_assignments__user=worker, care_tags__code__in=["elderly_alone", "empty_nest"]
        ).distinct()[:12]
    )
    wishes = [
        "一台新的厨房排气扇",
        "陪我去医院复查",
        "修好家里的旧收音机",
        "一副老花镜",
        "帮忙换个灯泡",
        "一把结实的拐杖",
        "冬天的棉被",
        "教我用智能手机",
        "理个发",
        "给孙子买本字典",
        "阳台晾衣架维修",
        "一起包顿饺子",
    ]
    plan = [
        "pending",
        "open",
        "open",
        "withdrawn",
        "claimed",
        "claimed",
        "fulfilled",
        "confirmed",
        "confirmed",
        "confirmed",
        "rejected",
        "confirmed",
    ]
    made = 0

    today = timezone.localdate()
    campaign = WishCampaign.objects.create(
        community=community,
        name=f"{today.year}年“圆梦微心愿”",
        starts_on=today.replace(month=1, day=1),
        ends_on=today.replace(month=12, day=31),
    )
    for r, title, state in zip(elderly, wishes, plan, strict=False):
        w = wish_services.wish_post(
            actor=worker, resident=r, kind=rng.choice(["goods", "service", "company"]), title=title, campaign=campaign
        )
        made += 1
        if state == "pending":
            continue
        if state == "withdrawn":
            wish_services.wish_withdraw(actor=worker, wish=w)
            continue
        if state == "rejected":
            wish_services.wish_reject(actor=staff, wish=w, reason="已纳入社区救助，由社区直接办理")
            continue
        w = wish_services.wish_approve(actor=staff, wish=w)
        if state == "open":
            continue
        w = wish_services.wish_claim(actor=partner, wish=w)
        if state == "claimed":
            continue
        w = wish_services.wish_fulfil(actor=partner, wish=w, photo=_photo())
        if state == "confirmed":
            wish_services.wish_confirm(actor=worker, wish=w)
    return made
