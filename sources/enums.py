"""Choice sets of the sources app."""

from django.db import models


class ArticleStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    FETCHED = "fetched", "Fetched"
    ANALYSED = "analysed", "Analysed"
    FAILED = "failed", "Failed"
    DUPLICATE = "duplicate", "Duplicate"
