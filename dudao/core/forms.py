from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, on the right field where
    the field is on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


def bootstrap(form):
    """Bootstrap classes on every widget so templates render fields plainly."""
    for field in form.fields.values():
        widget = field.widget
        kind = getattr(widget, "input_type", "")
        if kind == "checkbox" and not getattr(widget, "allow_multiple_selected", False):
            widget.attrs.setdefault("class", "form-check-input")
        elif kind in {"checkbox", "radio"}:
            continue
        elif kind == "select" or widget.__class__.__name__ in {"Select", "SelectMultiple", "NullBooleanSelect"}:
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
    return form


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


__all__ = ["NON_FIELD_ERRORS", "BootstrapMixin", "add_service_errors", "bootstrap"]


def posted(request):
    """The submitted data, or None for a GET. `request.POST or None` would leave
    a form unbound, so silently unvalidated, when a POST arrives empty."""
    return request.POST if request.method == "POST" else None


def form_errors_text(form) -> str:
    """All of a form's errors in one line, for a message after a redirect."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)
