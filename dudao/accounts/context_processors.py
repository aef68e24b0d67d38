from django.conf import settings

from dudao.core.selectors import live_notification_count
from dudao.directory.cities import home_city

from .models import Role
from .navigation import menu_for
from .scopes import scope_for


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    labels = dict(Role.choices)
    return {
        "unread_notifications": live_notification_count(user),
        "nav_items": menu_for(scope),
        "user_roles": [labels[r] for r in Role if r in scope.roles],
        # The city the user works in names the platform and its policy document.
        "home_city": home_city(user),
        "session_idle_seconds": settings.DUDAO_SESSION_IDLE_MINUTES * 60,
        "session_warning_seconds": settings.DUDAO_SESSION_WARNING_MINUTES * 60,
    }
