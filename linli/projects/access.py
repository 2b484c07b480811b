"""Who may run a project, sign its acceptance, and see it: the projects' one home for
permissions. Staff of the community run projects; a signer decides their own line of the
acceptance (or staff record it from the signed paper); everyone — residents and visitors — may
read a project's public page (items, progress, money, acceptance), as promised in 公开."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from linli.accounts.models import STAFF_AND_ADMIN
from linli.accounts.scope import Scope, register_capability, register_locator, require  # noqa: F401 (access.require)
from linli.projects.models import Decision, Project, ProjectStatus, Signoff
from linli.registry.access import acts_in_community, community_ids
from linli.registry.models import Place

MANAGE_PROJECTS = register_capability(
    "manage_projects",
    roles=STAFF_AND_ADMIN,
    label=gettext_lazy("项目立项、进度、资金和验收"),
    domain="projects",
)
register_locator(Project, path="community__path", community="community_id")


def can_manage(scope: Scope, community: Place) -> bool:
    return acts_in_community(scope, MANAGE_PROJECTS, community)


def can_start_from_resolution(scope: Scope, resolution) -> bool:
    """立项实施: an adopted resolution of the community's own council that has no project yet."""
    return bool(
        resolution is not None
        and resolution.adopted
        and not Project.objects.filter(resolution=resolution).exists()
        and can_manage(scope, resolution.topic.council.community)
    )


def managed_communities(scope: Scope) -> QuerySet:
    return Place.objects.filter(pk__in=community_ids(scope, MANAGE_PROJECTS)).order_by("path")


def can_edit(scope: Scope, project: Project) -> bool:
    """Items, money and progress change until the project is accepted."""
    return project.status != ProjectStatus.ACCEPTED and can_manage(scope, project.community)


def can_decide(scope: Scope, user, signoff: Signoff) -> bool:
    """Only while the project waits for acceptance; the signer themself, or staff recording the
    signed paper."""
    if signoff.project.status != ProjectStatus.COMPLETED or signoff.decision != Decision.PENDING:
        return False
    return (signoff.user_id is not None and signoff.user_id == getattr(user, "pk", None)) or can_manage(scope, signoff.project.community)


def signoffs_for(user) -> QuerySet:
    """The acceptance lines waiting for this person's own decision."""
    if not getattr(user, "is_authenticated", False):
        return Signoff.objects.none()
    return Signoff.objects.filter(user=user, decision=Decision.PENDING, project__status=ProjectStatus.COMPLETED)
