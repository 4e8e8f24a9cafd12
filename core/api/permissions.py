"""Who may call what: a request's role is its user's role, capped at viewer for a read-only token."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.enums import Role
from core.roles import role_covers, user_role

PUBLIC = None  # marks an action anyone may call, signed in or not


def api_role(request) -> Role | None:
    """The role this request acts with; computed once per request (user_role asks the database)."""
    if not hasattr(request, "_api_role"):
        role = user_role(request.user)
        if role is not None and is_read_only_token(request):
            role = Role.VIEWER
        request._api_role = role
    return request._api_role


def role_at_least(request, role: Role) -> bool:
    return role_covers(api_role(request), role)


def is_read_only_token(request) -> bool:
    # request.auth is the API token (claims.models.ApiToken) when one signed the request, None for a session.
    return getattr(request.auth, "read_write", None) is False


class RolePermission(BasePermission):
    """Checks the role a view asks for, by action (viewsets) or by method (plain views).

    A view's `required_roles` maps an action name or an HTTP method to the least role, or to
    PUBLIC. Unlisted: reads need viewer, writes need analyst. The services check again, with
    their own finer rules (an analyst may only propose a verdict, for instance).
    """

    message = "you do not have the role this needs"

    def has_permission(self, request, view) -> bool:
        required = self._required(request, view)
        if request.method not in SAFE_METHODS and is_read_only_token(request) and not getattr(
            view, "token_may_write", False
        ):
            self.message = "this token is read-only; ask an admin for a read-write token"
            return False
        if required is PUBLIC:
            return True
        if not role_at_least(request, required):
            self.message = f"this needs the {required.label.lower()} role or higher"
            return False
        return True

    @staticmethod
    def _required(request, view) -> Role | None:
        table = getattr(view, "required_roles", {})
        action = getattr(view, "action", None)
        if action in table:
            return table[action]
        if request.method in table:
            return table[request.method]
        return Role.VIEWER if request.method in SAFE_METHODS else Role.ANALYST
