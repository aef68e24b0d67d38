from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


@contextmanager
def service_errors():
    """Services raise Django's ValidationError; the API answers it as a 400."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise serializers.ValidationError(
                {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
            ) from exc
        raise serializers.ValidationError({"non_field_errors": exc.messages}) from exc
