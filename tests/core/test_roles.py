"""The one role ladder (core/roles.py) that pages, API and services all ask."""

from __future__ import annotations

from core.enums import Role
from core.roles import ROLE_LADDER, has_role, role_covers, user_set_role
from tests.factories import UserFactory


def test_each_role_covers_itself_and_the_roles_below_it():
    table = [[role_covers(held, needed) for needed in ROLE_LADDER] for held in (None, *ROLE_LADDER)]

    assert table == [
        [False, False, False, False],
        [True, False, False, False],
        [True, True, False, False],
        [True, True, True, False],
        [True, True, True, True],
    ]


def test_a_users_role_is_read_against_the_same_ladder(db):
    user = UserFactory()
    user_set_role(user=user, role=Role.ANALYST)

    assert [has_role(user, role) for role in ROLE_LADDER] == [True, True, False, False]
