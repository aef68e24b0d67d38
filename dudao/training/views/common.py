from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from .. import selectors


def errors_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def visible_programme(request, pk):
    return get_object_or_404(selectors.programmes_for(request.user), pk=pk)


def visible_cohort(request, pk):
    return get_object_or_404(selectors.cohorts_for(request.user), pk=pk)


def visible_survey(request, pk):
    return get_object_or_404(selectors.surveys_for(request.user), pk=pk)
