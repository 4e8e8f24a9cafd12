"""REST API v1 resources of the sources app: outlets, feeds, articles, ingestion runs."""
