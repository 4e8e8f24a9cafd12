"""Make, list and revoke API tokens: `manage.py api_token create|list|revoke`."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.models import ApiToken
from claims.services import api_token_create, api_token_revoke
from core.roles import user_role


class Command(BaseCommand):
    help = "Make (read-only unless --read-write), list and revoke API tokens. The token is printed once."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a token for a user and print it.")
        create.add_argument("--user", required=True, help="User name.")
        create.add_argument("--name", required=True, help="What the token is for, e.g. the tool's name.")
        create.add_argument(
            "--read-write", action="store_true", help="Let the token write with its user's role (default: read only)."
        )
        listing = sub.add_parser("list", help="List tokens (prefix, user, name, mode, last use).")
        listing.add_argument("--user", help="Only this user's tokens.")
        revoke = sub.add_parser("revoke", help="Revoke a token by id or prefix.")
        revoke.add_argument("token", help="The token's id, its prefix (ctk_…), or the whole token.")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, user, name, read_write, **_):
        try:
            owner = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user named {user!r}") from None
        try:
            token, raw = api_token_create(user=owner, name=name, read_write=read_write)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        role = user_role(owner)
        mode = f"read-write as {role.label.lower()}" if read_write and role else "read-only"
        self.stderr.write(f"Token {token.pk} for {owner.username} ({mode}). Shown once; keep it safe:")
        self.stdout.write(raw)

    def _list(self, *, user=None, **_):
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if user:
            tokens = tokens.filter(user__username=user)
        for t in tokens:
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            mode = "read-write" if t.read_write else "read-only"
            self.stdout.write(f"{t.pk}\t{t.prefix}…\t{t.user.username}\t{t.name}\t{mode}\t{state}\tlast used {used}")

    def _revoke(self, *, token, **_):
        from claims.services import api_token_hash

        matches = ApiToken.objects.filter(key_hash=api_token_hash(token))
        if not matches.exists():
            matches = ApiToken.objects.filter(pk=int(token)) if token.isdigit() else ApiToken.objects.filter(
                prefix=token.rstrip("…")
            )
        found = list(matches[:2])
        if len(found) != 1:
            raise CommandError(f"{'no token' if not found else 'more than one token'} matches {token!r}")
        api_token_revoke(token=found[0])
        self.stdout.write(f"Revoked token {found[0].pk} ({found[0].prefix}…) of {found[0].user}.")
