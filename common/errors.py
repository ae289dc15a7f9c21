"""Errors are a decision: retry the event, or record a reason and stop."""

from __future__ import annotations


class MiniMeterError(Exception):
    """Base class; `reason_code` is stable and machine-readable."""

    reason_code = "internal_error"

    def __init__(self, message: str, reason_code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if reason_code is not None:
            self.reason_code = reason_code


class RetryableError(MiniMeterError):
    """Transient: the platform should deliver the event again (network, lock, not-yet-visible row)."""

    reason_code = "retryable"


class PermanentError(MiniMeterError):
    """The input itself is bad: retrying cannot help. Recorded with its reason code."""

    reason_code = "permanent"


class RejectedInput(PermanentError):
    """A file we cannot read: corrupt, unsupported, hostile."""

    reason_code = "rejected_input"


class NotFound(MiniMeterError):
    reason_code = "not_found"


class Conflict(MiniMeterError):
    reason_code = "conflict"


class InvalidRequest(MiniMeterError):
    reason_code = "invalid_request"


class Unauthenticated(MiniMeterError):
    reason_code = "unauthenticated"


class Forbidden(MiniMeterError):
    reason_code = "forbidden"
