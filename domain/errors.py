"""Errors the rules raise. The HTTP layer maps each kind to a status and each code to a
localised problem title; the domain only says what went wrong and where."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DomainError(Exception):
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:  # for logs, never shown to clients as is
        return f"{type(self).__name__}({self.code}, {self.params})"


class InvalidInput(DomainError):
    """The request is well formed JSON but a field's value is not acceptable (400)."""

    def __init__(self, field_path: str, code: str = "invalid_value", **params: Any) -> None:
        super().__init__(code, {"field": field_path, **params})
        self.field_path = field_path


class NotFound(DomainError):
    """The thing does not exist or the caller may not read it (404, never reveals which)."""


class Forbidden(DomainError):
    """The caller may read the thing but may not do this (403)."""


class Conflict(DomainError):
    """The thing is in a state that does not allow this, or it already exists (409)."""


class RuleViolation(DomainError):
    """A well-formed request that breaks a business rule (422)."""
