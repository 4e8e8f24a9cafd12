"""Create (or reset) the demo analyst's login and print it; refuses to run in production."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.enums import Role
from core.roles import user_set_role

DEMO_USERS = [("analyst", Role.ANALYST), ("editor", Role.EDITOR), ("viewer", Role.VIEWER)]


class Command(BaseCommand):
    help = "Create the demo logins (analyst, editor, viewer) and print them. Development only."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("demo logins are not made in production")
        password_file = settings.BASE_DIR / "var" / "demo-password"
        if not password_file.exists():
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(secrets.token_urlsafe(12))
            password_file.chmod(0o600)
        password = password_file.read_text().strip()
        User = get_user_model()
        for username, role in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_staff = True  # until the analysts' pages cover everything, the admin is their way in
            user.save()
            user_set_role(user=user, role=role)
            if role != Role.ADMIN:
                from django.contrib.auth.models import Permission

                perms = Permission.objects.filter(content_type__app_label__in=["claims", "sources"])
                if role == Role.VIEWER:
                    perms = perms.filter(codename__startswith="view_")
                user.user_permissions.set(perms)
        from config.run import HOST, PORT

        self.stdout.write(
            self.style.SUCCESS("Demo logins (password for all three: ")
            + password
            + self.style.SUCCESS(f")\n  analyst / editor / viewer  at http://{HOST}:{PORT}/")
            + f"\n  published verdicts, no sign-in: http://{HOST}:{PORT}/verdicts/"
        )
