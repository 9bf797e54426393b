"""What every app's pages share about forms."""

from django import forms
from django.core.exceptions import ValidationError


def form_errors_add(form: forms.Form, error: ValidationError, *, join: str = "") -> None:
    """Put a service's ValidationError on ``form``: each field's messages on that field where
    the form has it, the others (and an error naming no field) on the form as a whole — as
    one line joined by ``join`` when it is given."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    elif join:
        form.add_error(None, join.join(str(message) for message in error.messages))
    else:
        form.add_error(None, error.messages)
