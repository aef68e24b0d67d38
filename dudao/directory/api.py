from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dudao.core.api import MultiPartParser, service_errors

from . import imports, permissions, selectors, services
from .filters import OrganizationFilter, PersonFilter
from .models import (
    CertificateLevel,
    EducationLevel,
    Jurisdiction,
    Organization,
    OrganizationType,
    Person,
    ServiceDomain,
)


class JurisdictionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Jurisdiction
        fields = ["id", "code", "name", "kind", "parent"]


class OrganizationSerializer(serializers.ModelSerializer):
    type = serializers.SlugRelatedField(slug_field="code", queryset=OrganizationType.objects.filter(is_active=True))
    jurisdiction = serializers.SlugRelatedField(slug_field="code", queryset=Jurisdiction.objects.filter(is_active=True))
    type_name = serializers.CharField(source="type.name", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    staff_count = serializers.IntegerField(read_only=True, default=None)
    # The model validator runs in the service, once, with its Chinese message.
    credit_code = serializers.CharField(max_length=18)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "credit_code",
            "type",
            "type_name",
            "jurisdiction",
            "jurisdiction_name",
            "address",
            "contact_name",
            "contact_phone",
            "is_active",
            "staff_count",
        ]
        read_only_fields = ["is_active"]


class CertificateSerializer(serializers.Serializer):
    level = serializers.SlugRelatedField(slug_field="code", queryset=CertificateLevel.objects.filter(is_active=True))
    number = serializers.CharField(max_length=64)
    issued_on = serializers.DateField()


class EmployerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    start_date = serializers.DateField()


class PersonSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    gender = serializers.CharField(read_only=True)
    birth_date = serializers.SerializerMethodField()
    birth_year = serializers.SerializerMethodField()
    education = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    service_domains = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    certificates = CertificateSerializer(many=True, read_only=True)
    current_employer = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_number",
            "gender",
            "birth_date",
            "birth_year",
            "education",
            "major",
            "phone",
            "frontline_since",
            "service_domains",
            "certificates",
            "current_employer",
        ]

    def _full(self, person) -> bool:
        return permissions.can_see_full_id(self.context["request"].user, person)

    def get_id_number(self, person) -> str:
        return person.id_number if self._full(person) else person.masked_id_number

    # The birth date is the middle of the ID number: whoever sees the number
    # masked gets the year at most, or the two together would restore it.
    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_birth_date(self, person):
        return person.birth_date if self._full(person) else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_birth_year(self, person):
        return person.birth_date.year if person.birth_date else None

    def get_phone(self, person) -> str:
        return person.phone if self._full(person) else ""

    @extend_schema_field(EmployerSerializer(allow_null=True))
    def get_current_employer(self, person):
        current = getattr(person, "current_employments", None)
        if current is None:
            current = list(person.employments.filter(end_date=None).select_related("organization"))
        if not current:
            return None
        return {
            "id": current[0].organization_id,
            "name": current[0].organization.name,
            "start_date": current[0].start_date,
        }


class PersonWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    id_number = serializers.CharField(max_length=18)
    education = serializers.SlugRelatedField(
        slug_field="code", queryset=EducationLevel.objects.filter(is_active=True), required=False, allow_null=True
    )
    major = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    frontline_since = serializers.DateField(required=False, allow_null=True, default=None)
    service_domains = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceDomain.objects.filter(is_active=True), many=True, required=False
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", write_only=True)


class PersonCreateSerializer(PersonWriteSerializer):
    employer = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.filter(is_active=True))
    start_date = serializers.DateField()
    position = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    certificates = CertificateSerializer(many=True, required=False)


class ImportResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField()


class ImportErrorSerializer(serializers.Serializer):
    errors = inline_serializer(
        "ImportRowError", {"row": serializers.IntegerField(), "message": serializers.CharField()}, many=True
    )


class JurisdictionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = JurisdictionSerializer
    filterset_fields = ["kind"]
    ordering_fields = ["code", "name", "path"]

    def get_queryset(self):
        return selectors.jurisdictions_for(self.request.user).select_related("parent")


class OrganizationViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    ordering_fields = ["name", "created_at", "credit_code"]
    ordering = ["name"]

    def get_queryset(self):
        return selectors.organizations_for(self.request.user)

    def decorate(self, rows):
        return selectors.with_staff_counts(rows)

    def get_object(self):
        return selectors.with_staff_counts([super().get_object()])[0]

    # Permission first, then the payload: a role that may not write gets 403
    # whatever it sends, not a 400 that describes the validation rules.
    def create(self, request, *args, **kwargs):
        if not permissions.can_create_organizations(request.user):
            raise PermissionDenied
        return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        if not permissions.can_manage_organization(request.user, self.get_object()):
            raise PermissionDenied
        return super().update(request, *args, **kwargs)

    # Answered as the list reads it (with staff_count), not as the service returned it.
    def perform_create(self, serializer):
        with service_errors():
            organization = services.create_organization(actor=self.request.user, **serializer.validated_data)
        serializer.instance = selectors.with_staff_counts([organization])[0]

    def perform_update(self, serializer):
        with service_errors():
            organization = services.update_organization(
                actor=self.request.user, organization=serializer.instance, **serializer.validated_data
            )
        serializer.instance = selectors.with_staff_counts([organization])[0]

    @extend_schema(
        request={"multipart/form-data": inline_serializer("RosterUpload", {"file": serializers.FileField()})},
        responses={201: ImportResultSerializer, 400: OpenApiResponse(ImportErrorSerializer)},
    )
    @action(detail=True, methods=["post"], url_path="staff-import", parser_classes=[MultiPartParser])
    def staff_import(self, request, pk=None):
        organization = self.get_object()
        if not selectors.employer_choices(request.user).filter(pk=organization.pk).exists():
            raise PermissionDenied
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"errors": [{"row": 0, "message": _("Attach the roster file as 'file'.")}]}, status=400)
        try:
            count = imports.import_roster(actor=request.user, organization=organization, upload=upload)
        except imports.ImportRejected as exc:
            return Response({"errors": [e.as_dict() for e in exc.errors]}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"imported": count}, status=status.HTTP_201_CREATED)


class PersonViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = PersonFilter
    ordering_fields = ["name", "created_at", "frontline_since"]
    ordering = ["name"]

    def get_queryset(self):
        people = selectors.people_for(self.request.user).prefetch_related(selectors.current_employment_prefetch())
        if self.action == "list":
            return selectors.by_employment(people, self.request.query_params.get("employment"))
        return people

    def get_serializer_class(self):
        if self.action == "create":
            return PersonCreateSerializer
        if self.action in {"update", "partial_update"}:
            return PersonWriteSerializer
        return PersonSerializer

    @extend_schema(request=PersonCreateSerializer, responses={201: PersonSerializer})
    def create(self, request, *args, **kwargs):
        if not permissions.can_add_people(request.user):
            raise PermissionDenied
        serializer = PersonCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with service_errors():
            person = services.create_person(actor=request.user, **serializer.validated_data)
        person = self.get_queryset().get(pk=person.pk)
        return Response(PersonSerializer(person, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=PersonWriteSerializer, responses={200: PersonSerializer})
    def update(self, request, *args, **kwargs):
        person = self.get_object()
        if not permissions.can_manage_person(request.user, person):
            raise PermissionDenied
        partial = kwargs.pop("partial", False)
        serializer = PersonWriteSerializer(data=request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        with service_errors():
            services.update_person(
                actor=request.user,
                person=person,
                service_domains=data.pop("service_domains", None),
                reason=data.pop("reason", ""),
                **data,
            )
        person = self.get_queryset().get(pk=person.pk)
        return Response(PersonSerializer(person, context=self.get_serializer_context()).data)

    @extend_schema(request=PersonWriteSerializer, responses={200: PersonSerializer})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)
