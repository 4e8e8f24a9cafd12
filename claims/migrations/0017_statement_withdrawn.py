"""Revisions supersede (issue 15): statements a later revision no longer has are withdrawn, not deleted; claims
left with no live statement leave the lists.

- Statement.withdrawn_at / withdrawn_in, and a trigger that withdrawn_in is a later revision of the statement's
  article (a CHECK cannot look at another table): claims/sql/statement_span.sql.
- Every count kept by triggers leaves withdrawn statements out as it leaves rejected ones out: the claims'
  counters (claims/sql/claim_counters.sql), the claims' stance groups (claim_stances.sql), the tallies
  (tallies.sql): "statements" and "statements:pending" are the statements not withdrawn, the day counts the
  counted ones.
- Claim.listed, a stored generated column (machine-made proposals nobody accepted, with no live statement and
  no verdict, are hidden); the claims' tallies "claims:<verdict>" count listed claims, so the dashboard agrees
  with the lists.

Backward, the schema changes are undone; the SQL files' earlier text is in claims 0015_sql_files' history, not
re-applied here (claims.sql.sql_files_apply runs nothing backward).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from claims.sql import sql_files_apply


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0016_remove_data_version'),
        ('sources', '0004_article_refetch'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='statement',
            name='statement_pending_idx',
        ),
        migrations.AddField(
            model_name='statement',
            name='withdrawn_in',
            field=models.ForeignKey(blank=True, help_text='The revision of the article that no longer has the statement.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='sources.articlerevision'),
        ),
        migrations.AddField(
            model_name='statement',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='statement',
            index=models.Index(condition=models.Q(('review_state', 'pending'), ('withdrawn_at__isnull', True)), fields=['created_at', 'id'], name='statement_pending_idx'),
        ),
        migrations.AddConstraint(
            model_name='statement',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('withdrawn_at__isnull', True), ('withdrawn_in__isnull', True)), models.Q(('withdrawn_at__isnull', False), ('withdrawn_in__isnull', False)), _connector='OR'), name='statement_withdrawn_names_its_revision'),
        ),
        migrations.AddConstraint(
            model_name='statement',
            constraint=models.CheckConstraint(condition=models.Q(('withdrawn_in', models.F('revision')), _negated=True), name='statement_not_withdrawn_from_its_own_revision'),
        ),
        migrations.AddField(
            model_name='claim',
            name='listed',
            field=models.GeneratedField(db_persist=True, expression=models.Q(('origin', 'analyst'), ('review_state', 'accepted'), ('statement_count__gt', 0), models.Q(('verdict', 'unverified'), _negated=True), _connector='OR'), output_field=models.BooleanField()),
        ),
        # The counters, stance groups and tallies leave withdrawn statements out and count listed claims; the
        # withdrawn check joins the span check.
        migrations.RunPython(*sql_files_apply({
            "statement_span.sql": "af6977066cbc954f8dab280b68ec8343cc2c13b9db4e81cb8985cc496ca365c4",
            "claim_counters.sql": "2b5537f3d9690540b5c547132d35843086b67b47372eba4361e6db87e0fc5335",
            "claim_stances.sql": "efd5548424cb4656cf6fbe0b34ff376d35003d2091e18c8b7a3ef77d66ecd167",
            "tallies.sql": "e8cc0bc3191c3353e7a362b4a0693554d11d38dd0a21548f8bc1985dcf428caf",
        })),
        # The tallies' meaning changed (withdrawn statements out, listed claims only): count them again.
        migrations.RunSQL("SELECT claims_tally_recount();", migrations.RunSQL.noop),
    ]
