"""Who holds which post where (a role anchored to a place, a grid, an organisation or a household),
and the accounts staff make for new grid workers and building heads. Each is one transaction with
an audit row. It lives in the registry because whether a role may be given is a question about
the place it is anchored to (``registry.access.can_assign_role``)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.models import Role, RoleAssignment, User
from linli.accounts.scope import forget_scope, scope_for
from linli.core import audit
from linli.registry.access import MANAGE_PLACES, can_assign_role, can_manage_places


def _anchor_place(*, place=None, grid=None, organisation=None, household=None):
    """The place a role's anchor sits at, for the permission to give it."""
    return (
        place
        or (grid.community if grid else None)
        or (organisation.place if organisation else None)
        or (household.dwelling if household else None)
    )


def role_assign(
    *, actor: User, user: User, role: str, place=None, grid=None, organisation=None, household=None, full_time: bool = True
) -> RoleAssignment:
    """Give a user a role in a scope. Staff give roles inside their community; admins anywhere.
    ``full_time`` says whether a grid worker is the grid's full-time (专职) worker."""
    role = Role(role)
    if not can_assign_role(scope_for(actor), _anchor_place(place=place, grid=grid, organisation=organisation, household=household), role):
        raise PermissionDenied(_("您无权分配该角色。"))
    assignment = RoleAssignment(
        user=user, role=role, place=place, grid=grid, organisation=organisation, household=household, full_time=bool(full_time)
    )
    assignment.clean()
    with transaction.atomic():
        existing = RoleAssignment.objects.filter(
            user=user, role=role, place=place, grid=grid, organisation=organisation, household=household
        ).first()
        if existing:
            return existing
        assignment.save()
        audit.record(
            actor=actor, action="create", target=assignment, changes={"role": [None, role], "scope": [None, str(assignment.scope_label)]}
        )
    forget_scope(user)
    return assignment


def role_remove(*, actor: User, assignment: RoleAssignment) -> None:
    anchor = _anchor_place(
        place=assignment.place, grid=assignment.grid, organisation=assignment.organisation, household=assignment.household
    )
    if not can_assign_role(scope_for(actor), anchor, Role(assignment.role)):
        raise PermissionDenied(_("您无权撤销该角色。"))
    with transaction.atomic():
        label = str(assignment.scope_label)
        audit.record(actor=actor, action="delete", target=assignment, changes={"role": [assignment.role, None], "scope": [label, None]})
        assignment.delete()
    forget_scope(assignment.user)


def role_set_full_time(*, actor: User, assignment: RoleAssignment, full_time: bool) -> RoleAssignment:
    """Mark a grid worker full-time (专职) or part-time (兼职) in their grid."""
    anchor = _anchor_place(
        place=assignment.place, grid=assignment.grid, organisation=assignment.organisation, household=assignment.household
    )
    if not can_assign_role(scope_for(actor), anchor, Role(assignment.role)):
        raise PermissionDenied(_("您无权修改该角色。"))
    with transaction.atomic():
        row = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
        if row.full_time != bool(full_time):
            audit.record(actor=actor, action="update", target=row, changes={"full_time": [row.full_time, bool(full_time)]})
            row.full_time = bool(full_time)
            row.save(update_fields=["full_time"])
    return row


def user_create(*, actor: User, username: str, display_name: str, password: str, community=None) -> User:
    """An account for a new grid worker, building head or steward, made by the community's staff
    (who then give it a role there). The password is the first one; the person changes it."""
    scope = scope_for(actor)
    if not (scope.everywhere(MANAGE_PLACES) or (community is not None and can_manage_places(scope, community))):
        raise PermissionDenied(_("您无权创建账号。"))
    username = (username or "").strip()
    errors = {}
    try:
        User.username_validator(username)
    except ValidationError as e:
        errors["username"] = e.messages[0]
    if not username or len(username) > 150:
        errors["username"] = _("请填写账号（150字以内）。")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("该账号已存在。")
    if not (display_name or "").strip():
        errors["display_name"] = _("请填写姓名。")
    candidate = User(username=username, display_name=(display_name or "").strip()[:50])
    try:
        validate_password(password or "", user=candidate)
    except ValidationError as e:
        errors["password"] = " ".join(e.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        candidate.set_password(password)
        candidate.save()
        audit.record(actor=actor, action="create", target=candidate, changes={"username": [None, username]})
    return candidate


def person_assign(
    *,
    actor: User,
    role: str,
    username: str,
    display_name: str = "",
    password: str = "",
    grid=None,
    place=None,
    full_time: bool = True,
    community=None,
) -> RoleAssignment:
    """Give someone a role in a grid or building by their account name, making the account
    first when it does not exist yet (name and first password given) — one transaction, so a
    refused role leaves no orphan account."""
    username = (username or "").strip()
    with transaction.atomic():
        user = User.objects.filter(username__iexact=username).first() if username else None
        if user is None:
            if not password:
                raise ValidationError({"username": _("没有这个账号；新建账号请同时填写姓名和初始密码。")})
            user = user_create(actor=actor, username=username, display_name=display_name, password=password, community=community)
        return role_assign(actor=actor, user=user, role=role, grid=grid, place=place, full_time=full_time)
