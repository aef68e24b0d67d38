"""API tokens expire (DUDAO_TOKEN_DAYS) and are revoked when the password
changes or the account is disabled. DRF's Token model (one per user) is kept, so
clients send `Authorization: Token <key>` as before; its `created` time is what
expires."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def expires_at(token: Token):
    return token.created + settings.DUDAO_TOKEN_TTL


def is_expired(token: Token) -> bool:
    return timezone.now() >= expires_at(token)


def revoke_all(user) -> int:
    deleted, _rows = Token.objects.filter(user=user).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, with an end date and Chinese messages. A
    refused token answers 401 (the WWW-Authenticate header says "Token")."""

    def authenticate_credentials(self, key):
        token = Token.objects.select_related("user").filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."))
        if is_expired(token):
            raise exceptions.AuthenticationFailed(_("The API token has expired. Request a new one."))
        return token.user, token
