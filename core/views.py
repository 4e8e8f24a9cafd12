"""What the analysts' pages of both apps share: the role check, htmx partials and bounded pagination."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import cached_property

from core.enums import Role
from core.roles import role_covers, user_role

PAGE_SIZE = 25


def role_required(role: Role) -> Callable:
    """Sign-in and a role for a page. Buttons are hidden by role too, but this is what enforces it.

    Puts `request.role` and `request.can` (what the templates may offer) on the request, so that the
    role is looked up once per request.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                if request.headers.get("HX-Request"):
                    # A partial swap of the sign-in page into the middle of a page helps nobody.
                    return HttpResponse(status=401, headers={"HX-Redirect": reverse("login")})
                return redirect_to_login(request.get_full_path())
            request.role = user_role(request.user)
            request.can = {
                "read": role_covers(request.role, Role.VIEWER),
                "analyse": role_covers(request.role, Role.ANALYST),
                "edit": role_covers(request.role, Role.EDITOR),
            }
            if not role_covers(request.role, role):
                raise PermissionDenied(f"This page needs the {role.label.lower()} role; ask an editor or an admin.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def is_partial(request: HttpRequest) -> bool:
    """An htmx swap (not a history restore, which needs the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


class BoundedPaginator(Paginator):
    """A Paginator that counts at most COUNT_LIMIT rows: COUNT(*) over a million claims costs more than the page.

    Past the limit, `count` is the limit and `bounded` is true; the templates then say "10000+".
    """

    COUNT_LIMIT = 10_000

    def __init__(self, object_list, per_page, *, count_limit: int | None = None):
        super().__init__(object_list, per_page)
        if count_limit is not None:
            self.COUNT_LIMIT = count_limit

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            rows = self.object_list.order_by()  # order: irrelevant to a count
            if not rows._fields:  # a grouped .values() queryset keeps its columns: they are its GROUP BY
                rows = rows.values("pk")
            n = rows[: self.COUNT_LIMIT + 1].count()
        elif hasattr(self.object_list, "count_upto"):  # a list read by its own SQL (claims.selectors.TrackRecord)
            n = self.object_list.count_upto(self.COUNT_LIMIT + 1)
        else:
            n = len(self.object_list)
        self.bounded = n > self.COUNT_LIMIT
        return min(n, self.COUNT_LIMIT)

    bounded = False


class CountedPaginator(Paginator):
    """A Paginator told its count (a counter the database keeps), so that it never runs COUNT(*)."""

    bounded = False

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # count is a cached_property: this is its value


def page_of(
    request: HttpRequest, items, per_page: int = PAGE_SIZE, *, param: str = "page", count: int | None = None,
    count_limit: int | None = None,
):
    if count is not None:
        paginator = CountedPaginator(items, per_page, count=count)
    else:
        paginator = BoundedPaginator(items, per_page, count_limit=count_limit)
    return paginator.get_page(request.GET.get(param))
