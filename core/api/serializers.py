"""Serializer plumbing both apps' APIs use."""

from __future__ import annotations

from rest_framework import serializers


class Described(serializers.Serializer):
    """Fills each field's help_text from Meta.descriptions, so that the OpenAPI schema describes every field."""

    def get_fields(self):
        fields = super().get_fields()
        descriptions = getattr(getattr(self, "Meta", None), "descriptions", {})
        for name, field in fields.items():
            if name in descriptions:
                field.help_text = descriptions[name]
            elif not field.help_text:
                field.help_text = _COMMON.get(name, name.replace("_", " ").capitalize() + ".")
        return fields


_COMMON = {
    "id": "Stable numeric identifier.",
    "url": "Address of the page.",
    "created_at": "When the row was created.",
    "name": "Name.",
    "country": "Country, in words.",
    "language": "BCP 47 language code.",
    "version": "Bumped on every change; the ETag and If-Match are built on it.",
    "slug": "Short stable identifier for links.",
    "kind": "Kind (see the enum).",
    "origin": "extracted: made by the analysis; analyst: made by a person.",
    "review_state": "pending until an analyst accepts or rejects it.",
}
