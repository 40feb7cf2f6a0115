"""The data model (docs/states.md)."""

from app.models import change_notices
from app.models.audit import AuditEvent
from app.models.batch import Batch
from app.models.billing import StripeEvent, Subscription, Usage
from app.models.document import Document, ExtractionJob, ExtractionResult
from app.models.enums import (
    AuditAction,
    BatchStatus,
    DocumentStatus,
    ErrorCode,
    JobStatus,
    Plan,
    PromptStrategy,
    QuestionStatus,
)
from app.models.notifications import (
    NotificationEvent,
    NotificationSend,
    NotificationSetting,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.models.questions import DocumentPage, QuestionBatch, QuestionItem
from app.models.states import IllegalTransition
from app.models.user import ApiToken, User, UserSession

change_notices.register(
    {
        "documents": Document.__table__,
        "batches": Batch.__table__,
        "api_tokens": ApiToken.__table__,
        "user_sessions": UserSession.__table__,
    }
)

__all__ = [
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "Batch",
    "BatchStatus",
    "Document",
    "DocumentPage",
    "DocumentStatus",
    "ErrorCode",
    "ExtractionJob",
    "ExtractionResult",
    "IllegalTransition",
    "JobStatus",
    "Plan",
    "PromptStrategy",
    "QuestionBatch",
    "QuestionItem",
    "QuestionStatus",
    "StripeEvent",
    "Subscription",
    "Usage",
    "User",
    "UserSession",
    "NotificationEvent",
    "NotificationSend",
    "NotificationSetting",
    "WebhookDelivery",
    "WebhookEndpoint",
]
