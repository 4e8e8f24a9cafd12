"""REST API v1 of the claims tracker: serializers, views, filters and the access rules for newsroom tools."""
