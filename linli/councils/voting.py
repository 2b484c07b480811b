"""The arithmetic of council votes, exact (integers and Decimals, no floats).

Rules:
- MAJORITY: a quorum of members present, and more than half of those present in favour.
- TWO_THIRDS: a quorum present, and at least two thirds of those present in favour.
- OWNERS (Civil Code art. 278): participation by owners holding at least 2/3 of the exclusive
  floor area AND at least 2/3 of the owners by number; approval by more than half of the
  participating area AND more than half of the participating owners.
- OWNERS_SPECIAL (art. 278 items 6–8: raising the maintenance fund, rebuilding, changing the
  use of common parts): same participation; approval by at least 3/4 of the participating area
  AND at least 3/4 of the participating owners.
Area counts each dwelling's exclusive floor area; owners are counted by dwelling, except that
one owner of several dwellings counts once (SPC interpretation on building ownership, art. 9):
the caller passes one ``OwnerWeight`` per owner with the sum of their areas.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from django.utils.translation import gettext_noop  # marks messages for the catalogue; translated when shown


def line(msgid: str, /, labels: tuple[str, ...] = (), **params) -> dict:
    """One line of the arithmetic, stored as a message and its values, so each reader sees it in
    their own language (``render_line``). ``labels`` names the values that are messages too."""
    return {"msg": msgid, "params": {k: str(v) for k, v in params.items()}, "labels": list(labels)}


def render_line(item) -> str:
    from django.utils.translation import gettext

    if isinstance(item, str):  # written before the arithmetic was stored as messages
        return item
    params = {k: (gettext(v) if k in item.get("labels", ()) else v) for k, v in item.get("params", {}).items()}
    return gettext(item["msg"]) % params


class Rule(StrEnum):
    MAJORITY = "majority"
    TWO_THIRDS = "two_thirds"
    OWNERS = "owners_278"
    OWNERS_SPECIAL = "owners_278_special"


class Choice(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


@dataclass(frozen=True)
class OwnerWeight:
    owner: str  # a stable owner identity (one person with several dwellings: one entry)
    area: Decimal


@dataclass
class Result:
    passed: bool
    lines: list[dict] = field(default_factory=list)  # the arithmetic, shown to everyone (render_line)
    figures: dict = field(default_factory=dict)


def _frac(x) -> Fraction:
    return Fraction(Decimal(x)) if not isinstance(x, Fraction) else x


def tally_members(*, rule: Rule, members: int, present: int, votes: Iterable[str], quorum: Fraction = Fraction(1, 2)) -> Result:
    """Majority or two-thirds of members present, with a quorum of the membership."""
    votes = list(votes)
    if present < len(votes):
        raise ValueError("more votes than members present")
    yes = sum(1 for v in votes if v == Choice.FOR)
    no = sum(1 for v in votes if v == Choice.AGAINST)
    quorum_ok = members > 0 and Fraction(present, members) >= quorum
    reached, passed, failed, missed = gettext_noop("达到"), gettext_noop("通过"), gettext_noop("未通过"), gettext_noop("未达到")
    lines = [
        line(
            gettext_noop("应到 %(members)s 人，实到 %(present)s 人，法定人数 %(quorum)s × %(members)s：%(state)s"),
            ("state",),
            members=members,
            present=present,
            quorum=quorum,
            state=reached if quorum_ok else missed,
        )
    ]
    if rule == Rule.MAJORITY:
        ok = yes * 2 > present
        lines.append(
            line(
                gettext_noop("赞成 %(yes)s 人，须超过实到人数的一半（> %(half)s）：%(state)s"),
                ("state",),
                yes=yes,
                half=Fraction(present, 2),
                state=passed if ok else failed,
            )
        )
    elif rule == Rule.TWO_THIRDS:
        ok = yes * 3 >= present * 2
        lines.append(
            line(
                gettext_noop("赞成 %(yes)s 人，须不少于实到人数的三分之二（≥ %(need)s）：%(state)s"),
                ("state",),
                yes=yes,
                need=Fraction(present * 2, 3),
                state=passed if ok else failed,
            )
        )
    else:
        raise ValueError(rule)
    return Result(
        passed=quorum_ok and ok and present > 0,
        lines=lines,
        figures={"members": members, "present": present, "for": yes, "against": no, "abstain": len(votes) - yes - no},
    )


def tally_owners(*, rule: Rule, eligible: Iterable[OwnerWeight], ballots: dict[str, str]) -> Result:
    """Art. 278 double majority. ``ballots`` maps owner identity → choice; owners not in
    ``eligible`` are ignored (they could not have voted)."""
    owners = {w.owner: _frac(w.area) for w in eligible}
    total_area = sum(owners.values(), Fraction(0))
    total_owners = len(owners)
    cast = {o: c for o, c in ballots.items() if o in owners}
    part_area = sum((owners[o] for o in cast), Fraction(0))
    part_owners = len(cast)
    yes = [o for o, c in cast.items() if c == Choice.FOR]
    yes_area = sum((owners[o] for o in yes), Fraction(0))
    yes_owners = len(yes)

    participation = total_owners > 0 and part_area * 3 >= total_area * 2 and part_owners * 3 >= total_owners * 2
    if rule == Rule.OWNERS:
        approved = part_owners > 0 and yes_area * 2 > part_area and yes_owners * 2 > part_owners
        need = gettext_noop("过半数（>1/2）")
    elif rule == Rule.OWNERS_SPECIAL:
        approved = part_owners > 0 and yes_area * 4 >= part_area * 3 and yes_owners * 4 >= part_owners * 3
        need = gettext_noop("四分之三以上（≥3/4）")
    else:
        raise ValueError(rule)

    def pct(a, b) -> str:
        return f"{float(a / b) * 100:.2f}%" if b else "—"

    lines = [
        line(
            gettext_noop("专有部分面积合计 %(area)s㎡，业主 %(owners)s 人（一人多套按一人计）"),
            area=f"{float(total_area):.2f}",
            owners=total_owners,
        ),
        line(
            gettext_noop("参与表决：面积 %(area)s㎡（%(area_pct)s），人数 %(owners)s（%(owners_pct)s）；须均不少于三分之二：%(state)s"),
            ("state",),
            area=f"{float(part_area):.2f}",
            area_pct=pct(part_area, total_area),
            owners=part_owners,
            owners_pct=pct(part_owners, total_owners),
            state=gettext_noop("达到") if participation else gettext_noop("未达到"),
        ),
        line(
            gettext_noop(
                "同意：面积 %(area)s㎡（占参与面积 %(area_pct)s），人数 %(owners)s（占参与人数 %(owners_pct)s）；须面积和人数均%(need)s：%(state)s"
            ),
            ("need", "state"),
            area=f"{float(yes_area):.2f}",
            area_pct=pct(yes_area, part_area),
            owners=yes_owners,
            owners_pct=pct(yes_owners, part_owners),
            need=need,
            state=gettext_noop("同意") if approved else gettext_noop("未同意"),
        ),
    ]
    return Result(
        passed=participation and approved,
        lines=lines,
        figures={
            "total_area": str(Decimal(total_area.numerator) / Decimal(total_area.denominator)) if total_owners else "0",
            "total_owners": total_owners,
            "participating_owners": part_owners,
            "for_owners": yes_owners,
            "participating_area": float(part_area),
            "for_area": float(yes_area),
        },
    )
