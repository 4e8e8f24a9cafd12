"""The near-duplicate check's band rows kept from the revisions' bands (claims/sql/revision_bands.sql)."""

from django.db import migrations

from claims.sql import sql_files_apply


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0022_statement_withdrawn_idx"),
        ("sources", "0007_revision_bands"),
    ]

    operations = [
        migrations.RunPython(*sql_files_apply({
            "revision_bands.sql": "8d7ed192665e6efb73873c15b628bdd1d12f9af361df52b76c4d2b19e7df3235",
        })),
    ]
