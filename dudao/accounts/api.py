from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token."""

    @extend_schema(responses={200: inline_serializer("Token", {"token": serializers.CharField()})})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
