"""Domain errors. Services raise them; the API turns each into JSON {detail, code, field}."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    default_code = "invalid"

    def __init__(self, detail: str, *, code: str | None = None, field: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code
        self.field = field


class ValidationFailed(DomainError):
    """Input that breaks a rule of the domain; `field` names the offending input."""

    status = 422
    default_code = "validation_error"


class NotFound(DomainError):
    """Unknown object, or one the user may not see: both answer the same, so ids leak nothing."""

    status = 404
    default_code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    default_code = "permission_denied"


class Conflict(DomainError):
    """The action is not allowed in the object's current state."""

    status = 409
    default_code = "conflict"


class PreconditionFailed(DomainError):
    """The client edited a stale version (If-Match did not match)."""

    status = 412
    default_code = "stale_version"
