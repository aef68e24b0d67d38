import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
application = get_wsgi_application()


def _preload_certificate_font():
    # Parsing the 10 MB CJK font takes a few hundred milliseconds; do it once at
    # start-up so the first certificate a user downloads is as fast as the rest.
    from django.conf import settings

    if settings.DUDAO_CJK_FONT.exists():
        from dudao.core.pdf import register_font

        register_font()


_preload_certificate_font()
