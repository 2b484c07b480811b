"""A council's way from a topic to a resolution, for tests of what stands on it (projects)."""

from datetime import date, timedelta

from django.utils import timezone

from linli.councils import services
from linli.councils.models import Member
from linli.councils.voting import Rule
from linli.registry.models import Place, PlaceKind


def council_of(world, name="阳光花园邻里议事会"):
    staff = world.user("staff")
    compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")
    c = services.council_create(actor=staff, community=world.community, compound=compound, name=name, support_threshold=2)
    services.member_add(actor=staff, council=c, name="李书记", role=Member.Role.CONVENER, user=world.user("secretary"))
    services.member_add(actor=staff, council=c, name="陈静", role=Member.Role.GRID_WORKER, user=world.user("gridworker"))
    services.member_add(actor=staff, council=c, name="张三", role=Member.Role.RESIDENT_REP, user=world.user("resident"))
    services.member_add(actor=staff, council=c, name="王大爷", role=Member.Role.PARTY_MEMBER)  # no phone
    return c


def advance(actor, topic, **kw):
    """The next step, once the step's minimum duration (会前公示 5 days) has passed: the test's
    clock jumps to the earliest moment the community's rule allows."""
    from linli.councils.models import CouncilRule

    earliest = CouncilRule.for_community(topic.council.community_id).earliest_advance(topic)
    now = max(timezone.now(), earliest or timezone.now(), topic.step_entered_at)  # the clock never runs back
    return services.topic_advance(actor=actor, topic=topic, now=now, **kw)


def to_decide(world, topic):
    staff = world.user("staff")
    while topic.step != "decide":
        topic = advance(staff, topic)
    return topic


def meeting_with_all_present(world, council):
    m = services.meeting_schedule(actor=world.user("staff"), council=council, kind="matter", title="议事会", scheduled_at=timezone.now())
    for member in council.members.all():
        services.meeting_sign_in(actor=world.user("staff"), meeting=m, member=member)
    return m


def passed_vote(world, council, topic, choice="for"):
    staff = world.user("staff")
    m = meeting_with_all_present(world, council)
    v = services.vote_open(actor=staff, topic=topic, rule=Rule.MAJORITY, meeting=m)
    for member in council.members.all():
        services.ballot_cast(actor=staff, vote=v, choice=choice, voter_key=f"m{member.pk}")
    return services.vote_close(actor=staff, vote=v)


def resolution_of(world, council, appeals, *, choice="for", decision="3栋东侧划定20个电动车位", title="电动车停放"):
    """A resolution on a topic raised from ``appeals``: adopted when the vote passes (``choice="for"``),
    recorded as not adopted otherwise."""
    staff = world.user("staff")
    topic = to_decide(world, services.topic_from_appeals(actor=staff, council=council, appeals=appeals, title=title))
    vote = passed_vote(world, council, topic, choice=choice)
    return services.resolution_publish(
        actor=staff, topic=topic, vote=vote, decision=decision, responsible="社区居委会", due_on=date.today() + timedelta(days=60)
    )
