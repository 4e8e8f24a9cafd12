"""Choice sets of the sources app."""

from django.db import models


class ArticleStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    FETCHED = "fetched", "Fetched"
    ANALYSED = "analysed", "Analysed"
    FAILED = "failed", "Failed"
    DUPLICATE = "duplicate", "Duplicate"


class IngestionKind(models.TextChoices):
    FEED_POLL = "feed_poll", "Feed poll"
    URL_BATCH = "url_batch", "URL batch"
    MANUAL = "manual", "Manual intake"


class IngestionStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIAL = "partial", "Finished with failures"
    FAILED = "failed", "Failed"


class ItemStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    NEW = "new", "New article"
    UPDATED = "updated", "New revision"
    UNCHANGED = "unchanged", "Unchanged"
    DUPLICATE = "duplicate", "Duplicate"
    FAILED = "failed", "Failed"


class ItemSource(models.TextChoices):
    URL = "url", "URL"
    HTML = "html", "Uploaded HTML"
    TEXT = "text", "Pasted text"
