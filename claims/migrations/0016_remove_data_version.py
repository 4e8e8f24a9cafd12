"""The read cache is gone (docs/architecture.md, "The read cache"), and with it the data version it keyed answers
by (claims 0014): its trigger on every table, its functions and its table. Backwards, 0014 puts them back."""

import importlib

from django.db import migrations

data_version = importlib.import_module("claims.migrations.0014_data_version")


def put_back(apps, schema_editor):
    data_version.add_triggers(apps, schema_editor)


def remove(apps, schema_editor):
    data_version.drop_triggers(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0015_sql_files"),
    ]

    operations = [migrations.RunPython(remove, put_back)]
