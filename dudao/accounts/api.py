from django.contrib.auth import authenticate, user_logged_in
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from dudao.core.api import service_errors
from dudao.directory.models import Jurisdiction, Organization
from dudao.directory.selectors import find_by_id_number

from . import lockouts, permissions, services, tokens
from .filters import UserFilter
from .models import Role, RoleAssignment, User
from .selectors import users_for


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class OwnTokenSerializer(serializers.Serializer):
    """A token as its owner sees it in a list: never the whole key."""

    key_prefix = serializers.CharField()
    created = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    expired = serializers.BooleanField()


def _own_token_data(token: Token) -> dict:
    return {
        "key_prefix": token.key[:6] + "…",
        "created": token.created,
        "expires_at": tokens.expires_at(token),
        "expired": tokens.is_expired(token),
    }


DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})


class TokenView(APIView):
    """Exchange a username and password for an API token. The token expires
    (`expires_at`); a new login after that issues a new one. Failed attempts
    count towards the same lock-out as the login page."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Wrong username or password, or the account is disabled."),
            429: OpenApiResponse(DETAIL, description="Locked after too many failed logins (see Retry-After)."),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The Django request, not DRF's wrapper: django-axes marks a lock-out on
        # the request object it is given, and its middleware reads that one.
        django_request = request._request
        user = authenticate(
            request=django_request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            return lockouts.lockout_response(django_request)
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Wrong username or password, or the account is disabled.")]}
            )
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        token, _created = services.issue_token(user=user)
        return Response({"token": token.key, "expires_at": tokens.expires_at(token)})


class OwnTokensView(APIView):
    """The caller's own API tokens: list them, or revoke them all (DELETE)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OwnTokenSerializer(many=True)})
    def get(self, request):
        own = Token.objects.filter(user=request.user)
        return Response(OwnTokenSerializer([_own_token_data(t) for t in own], many=True).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        services.revoke_own_tokens(actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleAssignmentSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices)
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code", queryset=Jurisdiction.objects.all(), required=False, allow_null=True
    )
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True
    )
    person_id_number = serializers.CharField(write_only=True, required=False, allow_blank=True)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")

    class Meta:
        model = RoleAssignment
        fields = ["id", "role", "jurisdiction", "organization", "person_id_number", "reason"]


class UserSerializer(serializers.ModelSerializer):
    roles = RoleAssignmentSerializer(source="role_assignments", many=True, read_only=True)
    person = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "is_active", "last_login", "person", "roles"]


class UserCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    display_name = serializers.CharField(max_length=64)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    password = serializers.CharField(write_only=True, max_length=4096)
    role = serializers.ChoiceField(choices=Role.choices)
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code", queryset=Jurisdiction.objects.all(), required=False, allow_null=True, default=None
    )
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, default=None
    )
    person_id_number = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _person(request, id_number):
    if not id_number:
        return None
    person = find_by_id_number(request.user, id_number)
    if person is None:
        raise serializers.ValidationError(
            {"person_id_number": ["No person with this ID number is on a roster you can see."]}
        )
    return person


class UserViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Accounts the caller administers. `me` describes the caller."""

    serializer_class = UserSerializer
    filterset_class = UserFilter
    ordering_fields = ["username", "date_joined", "last_login"]
    ordering = ["username"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        if self.action != "me" and not permissions.grantable_roles(self.request.user):
            raise PermissionDenied
        return users_for(self.request.user)

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def create(self, request, *args, **kwargs):
        # Permission first, then the payload: a role that may not create
        # accounts gets 403 whatever it sends, not a lesson in the fields.
        if not permissions.may_administer_accounts(request.user):
            raise PermissionDenied
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        person = _person(request, data.pop("person_id_number"))
        with service_errors():
            user = services.create_user(actor=request.user, person=person, **data)
        return Response(UserSerializer(self.get_queryset().get(pk=user.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RoleAssignmentSerializer, responses={201: RoleAssignmentSerializer})
    @action(detail=True, methods=["post"])
    def roles(self, request, pk=None):
        account = self.get_object()
        if not permissions.may_administer_accounts(request.user):
            raise PermissionDenied
        serializer = RoleAssignmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("person_id_number", None)
        with service_errors():
            assignment = services.grant_role(actor=request.user, user=account, **data)
        return Response(RoleAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: UserSerializer})
    @action(detail=False, methods=["get"])
    def me(self, request):
        user = User.objects.prefetch_related("role_assignments__jurisdiction").get(pk=request.user.pk)
        return Response(UserSerializer(user).data)
