"""Errors the transport services raise, and their precondition check."""

from django.core.exceptions import ValidationError


class CarFull(ValidationError):
    """Raised when the last seat of a car or bus was taken by someone else."""


class SeatTaken(ValidationError):
    """Raised when the chosen seat is held by another traveller."""


def require(condition: bool, message: str, code: str = "invalid") -> None:
    if not condition:
        raise ValidationError(message, code=code)
