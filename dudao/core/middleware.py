from django.conf import settings
from django.http import JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class DefaultLanguageMiddleware:
    """Chinese unless the user chose otherwise. The browser's Accept-Language is
    ignored on purpose: many office machines send en-US, and the platform's
    users read Chinese; an explicit choice (the language cookie) still wins."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


API_PREFIX = "/api/"

# Status -> the message an API client gets when Django (not DRF) answered with
# an HTML error page: an unknown URL, a CSRF failure, a host or body refused
# before any view ran, an unhandled exception.
API_ERROR_MESSAGES = {
    400: gettext_lazy("Bad request."),
    403: gettext_lazy("You do not have permission to perform this action."),
    404: gettext_lazy("Not found."),
    405: gettext_lazy("Method not allowed."),
    413: gettext_lazy("The request body is too large."),
    500: gettext_lazy("Server error. The error has been logged; please try again later."),
}


class ApiErrorMiddleware:
    """Under /api/ every answer is JSON. A body larger than
    DATA_UPLOAD_MAX_MEMORY_SIZE is refused with 413 from its Content-Length,
    before anything reads it; any other HTML error page Django would send
    becomes {"detail": message} with the same status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return JsonResponse(
                {
                    "detail": _("The request body is too large (%(size)s; at most %(limit)s).")
                    % {"size": filesizeformat(length), "limit": filesizeformat(limit)}
                },
                status=413,
            )
        response = self.get_response(request)
        if response.status_code >= 400 and response.get("Content-Type", "").startswith("text/html"):
            status = response.status_code
            message = API_ERROR_MESSAGES.get(status) or API_ERROR_MESSAGES[500 if status >= 500 else 400]
            json_response = JsonResponse({"detail": str(message)}, status=status)
            for header in ("Allow", "Retry-After"):
                if header in response:
                    json_response[header] = response[header]
            return json_response
        return response
