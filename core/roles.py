"""Roles (DESIGN.md): viewer reads, analyst reviews and edits, editor sets and publishes verdicts."""

from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied

from core.enums import Role

# The one ladder: each role may do what the roles below it may.
ROLE_LADDER = (Role.VIEWER, Role.ANALYST, Role.EDITOR, Role.ADMIN)
_RANK = {role: rank for rank, role in enumerate(ROLE_LADDER, start=1)}


def role_covers(held: Role | None, role: Role) -> bool:
    """Whether holding `held` (None: no role) is enough for what needs `role`."""
    return held is not None and _RANK[held] >= _RANK[role]


def user_role(user) -> Role | None:
    """The highest role a user holds; None for anonymous users and users with no role."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    names = getattr(user, "group_names", None)  # set by the API's token authentication, read with the token
    if names is None:
        names = {group.name for group in user.groups.all()}
    for role in (Role.ADMIN, Role.EDITOR, Role.ANALYST, Role.VIEWER):
        if role.value in names:
            return role
    return None


def has_role(user, role: Role) -> bool:
    return role_covers(user_role(user), role)


def require_role(user, role: Role, *, action: str) -> None:
    if not has_role(user, role):
        raise PermissionDenied(f"{action} needs the {role.label.lower()} role or higher")


def user_set_role(*, user, role: Role) -> None:
    """Give a user exactly one role (admin also makes them staff and superuser)."""
    groups = [Group.objects.get_or_create(name=r.value)[0] for r in Role if r != Role.ADMIN]
    user.groups.remove(*groups)
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
        return
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
