"""Full-text index on article revisions for the API's article search (?q=).

It lives here, not in sources/, because the API is what searches with it; the expression must
match claims.api.filters.REVISION_SEARCH_VECTOR exactly or PostgreSQL will not use it.
"""

from django.db import migrations

CREATE = """
CREATE INDEX IF NOT EXISTS revision_text_fts_idx
    ON sources_articlerevision USING gin (to_tsvector('english'::regconfig, COALESCE("text", '')));
"""
DROP = "DROP INDEX IF EXISTS revision_text_fts_idx;"


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0004_api_tokens_webhooks_search"),
        ("sources", "0001_initial"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
