"""Writes, by entity; the package's names are the public surface (`from claims import services`)."""

from claims.services.claims import (
    RATIONALE_MAX_LENGTH,
    StaleVersion,
    VerdictUnchanged,
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
    party_alias_check,
    party_create,
    party_parent_check,
    party_update,
)
from claims.services.review import (
    BulkReviewReport,
    ReviewAction,
    statement_review,
    statement_review_bulk,
)
from claims.services.statements import (
    StatementDraft,
    StatementMove,
    claims_lock_live,
    statement_carry_over,
    statement_create,
    statement_create_many,
    statement_withdraw_many,
)
from claims.services.tallies import tally_fold
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
    "StaleVersion",
    "StatementDraft",
    "StatementMove",
    "VerdictUnchanged",
    "api_token_create",
    "api_token_hash",
    "api_token_revoke",
    "claim_create",
    "claim_merge",
    "claim_resolve_merged",
    "claim_set_verdict",
    "claim_tags_normalise",
    "claim_update",
    "claims_lock_live",
    "evidence_add",
    "party_alias_add",
    "party_alias_check",
    "party_create",
    "party_parent_check",
    "party_update",
    "statement_carry_over",
    "statement_create",
    "statement_create_many",
    "statement_review",
    "statement_review_bulk",
    "statement_withdraw_many",
    "tally_fold",
    "webhook_subscription_create",
    "webhook_subscription_delete",
]
