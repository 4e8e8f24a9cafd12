"""Writes, by entity; the package's names are the public surface (`from claims import services`)."""

from claims.services.claims import (
    RATIONALE_MAX_LENGTH,
    StaleVersion,
    claim_create,
    claim_merge,
    claim_resolve_merged,
    claim_set_verdict,
    claim_tags_normalise,
    claim_update,
    evidence_add,
)
from claims.services.parties import (
    party_alias_add,
    party_create,
    party_parent_check,
    party_update,
)
from claims.services.review import (
    BulkReviewReport,
    ReviewAction,
    ReviewUndo,
    UndoReport,
    statement_review,
    statement_review_bulk,
    statement_review_undo,
    statement_review_with_undo,
)
from claims.services.statements import (
    StatementDraft,
    claims_lock_live,
    statement_create,
    statement_create_many,
)
from claims.services.teamwork import (
    claim_assign,
    claim_note_add,
    notification_mark_read,
    notifications_for_statements,
    notifications_for_verdict,
    watch_set,
)
from claims.services.tokens import (
    TOKEN_PREFIX,
    api_token_create,
    api_token_hash,
    api_token_revoke,
)
from claims.services.webhooks import (
    webhook_subscription_create,
    webhook_subscription_delete,
)

__all__ = [
    "RATIONALE_MAX_LENGTH",
    "TOKEN_PREFIX",
    "BulkReviewReport",
    "ReviewAction",
    "ReviewUndo",
    "StaleVersion",
    "StatementDraft",
    "UndoReport",
    "api_token_create",
    "api_token_hash",
    "api_token_revoke",
    "claim_assign",
    "claim_create",
    "claim_merge",
    "claim_note_add",
    "claim_resolve_merged",
    "claim_set_verdict",
    "claim_tags_normalise",
    "claim_update",
    "claims_lock_live",
    "evidence_add",
    "notification_mark_read",
    "notifications_for_statements",
    "notifications_for_verdict",
    "party_alias_add",
    "party_create",
    "party_parent_check",
    "party_update",
    "statement_create",
    "statement_create_many",
    "statement_review",
    "statement_review_bulk",
    "statement_review_undo",
    "statement_review_with_undo",
    "watch_set",
    "webhook_subscription_create",
    "webhook_subscription_delete",
]
