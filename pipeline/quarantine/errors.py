"""Review errors, mapped one to one onto HTTP statuses and CLI exit messages.

    PromptDlpError
    └── ReviewError
        ├── NotFound        no such prompt id (or it was purged)          404
        ├── Forbidden       the reviewer's role does not allow the action 403
        ├── Conflict        the item is not in a state that allows it     409
        └── BadRequest      a required field is missing or invalid        400

Messages carry ids and field names only, never prompt content.
"""

from __future__ import annotations

from pipeline.errors import PromptDlpError

__all__ = ["BadRequest", "Conflict", "Forbidden", "NotFound", "ReviewError"]


class ReviewError(PromptDlpError):
    """Base of the review errors; ``status`` is the HTTP status it maps to."""

    status = 400


class NotFound(ReviewError):
    status = 404


class Forbidden(ReviewError):
    status = 403


class Conflict(ReviewError):
    status = 409


class BadRequest(ReviewError):
    status = 400
