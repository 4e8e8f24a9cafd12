"""The functions and triggers of claims 0002, 0006, 0008, 0012 and 0013, now kept in claims/sql/*.sql (the same text:
on a database migrated so far nothing changes). From here on the files are the definitions; see claims/sql."""

from django.db import migrations

from claims.sql import sql_files_apply


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0014_data_version"),
    ]

    operations = [
        migrations.RunPython(*sql_files_apply({
            "statement_span.sql": "d43c08bbee3768eef1e64b1a59e48c06be0a8b90d988b7f6a724b9b2307e33e1",
            "claim_counters.sql": "56a34dca919241bb8c3c6c99a0e362a58d9ce3e2945819b47eba67c2968c3536",
            "claim_stances.sql": "1733e9a63631345ecf55c5a530d868267387791991b7a6d0094629e4ebc1a431",
            "tallies.sql": "0d2ec911f7e09a1eab061563697cb58641b4e8c376ca5df06fc9e3f8fc295fbc",
        })),
    ]
