"""The training API under /api/v1/: the same scoping and services as the pages.
A record outside the caller's scope is a 404; an action the caller may not
take on a record they can see is a 403; a rule a service enforces is a 400."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dudao.core.api import IdField, MultiPartParser, service_errors
from dudao.directory.api import ImportErrorSerializer, ImportResultSerializer
from dudao.directory.models import Jurisdiction, Organization, ServiceDomain
from dudao.directory.selectors import organizations_for, people_for
from dudao.selection.models import Round, Trainee

from . import imports, permissions, selectors, services
from .filters import ActivityFilter, CohortFilter, MemberFilter, ModuleFilter, SessionFilter, SurveyFilter
from .models import Activity, Cohort, Member, Module, Programme, Question, Session, Survey


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference to a record the caller can see; anything else does not exist."""

    def __init__(self, scoped, **kwargs):
        self.scoped = scoped
        super().__init__(**kwargs)

    def get_queryset(self):
        # Without a request (schema generation) the scope is empty: nothing exists.
        return self.scoped(getattr(self.context.get("request"), "user", None))


# --- serializers ---------------------------------------------------------------------------


class ProgrammeSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", queryset=Jurisdiction.objects.filter(is_active=True))
    trainer = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.filter(is_active=True))
    trainer_name = serializers.CharField(source="trainer.name", read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "jurisdiction", "name", "trainer", "trainer_name", "target_size", "starts_on", "ends_on"]
        read_only_fields = ["target_size"]


class ModuleSerializer(serializers.ModelSerializer):
    programme = ScopedPrimaryKeyField(selectors.programmes_for)
    domain = serializers.PrimaryKeyRelatedField(
        queryset=ServiceDomain.objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = Module
        fields = ["id", "programme", "title", "kind", "domain", "is_ethics", "hours"]


class CohortSerializer(serializers.ModelSerializer):
    programme = ScopedPrimaryKeyField(selectors.programmes_for)
    round = serializers.PrimaryKeyRelatedField(queryset=Round.objects.all())
    trainees = serializers.ListField(
        child=IdField(),
        write_only=True,
        required=False,
        default=list,
        help_text="IDs of trainees of the round to put in the cohort",
    )
    member_count = serializers.SerializerMethodField()

    class Meta:
        model = Cohort
        fields = ["id", "programme", "name", "round", "trainees", "member_count"]

    def get_member_count(self, cohort) -> int:
        return cohort.member_count if hasattr(cohort, "member_count") else cohort.members.count()


class MemberSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="trainee.person_id", read_only=True)
    person_name = serializers.CharField(source="trainee.person.name", read_only=True)
    organization_name = serializers.CharField(source="trainee.nomination.organization.name", read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            "cohort",
            "trainee",
            "person",
            "person_name",
            "organization_name",
            "theory_score",
            "practice_score",
            "scored_at",
            "confirmed_at",
            "passed",
        ]
        read_only_fields = fields


class ScoresSerializer(serializers.Serializer):
    theory_score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True, required=False)
    practice_score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True, required=False)


class MembersAddSerializer(serializers.Serializer):
    trainees = serializers.ListField(
        child=IdField(), allow_empty=False, max_length=1000, help_text="Trainee IDs of the cohort's round"
    )


class ResultSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    person = serializers.IntegerField(source="member.trainee.person_id")
    person_name = serializers.CharField(source="member.trainee.person.name")
    attended_hours = serializers.DecimalField(max_digits=7, decimal_places=1)
    total_hours = serializers.DecimalField(max_digits=7, decimal_places=1)
    share = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text="Percent of the scheduled hours attended"
    )
    theory_score = serializers.DecimalField(
        source="member.theory_score", max_digits=5, decimal_places=1, allow_null=True
    )
    practice_score = serializers.DecimalField(
        source="member.practice_score", max_digits=5, decimal_places=1, allow_null=True
    )
    overall = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    passes = serializers.BooleanField(help_text="Passes under the parameters in force today")
    confirmed = serializers.BooleanField()
    passed = serializers.BooleanField(
        source="outcome", allow_null=True, help_text="The confirmed result, or the live one before confirmation"
    )


class ConfirmResultSerializer(serializers.Serializer):
    confirmed = serializers.IntegerField()
    admitted = serializers.IntegerField(help_text="Entered the city pool at once (public notice off)")
    published = serializers.IntegerField(help_text="Passed and in public notice: enter the pool when it ends")
    failed = serializers.IntegerField()


class SessionSerializer(serializers.ModelSerializer):
    cohort = ScopedPrimaryKeyField(selectors.cohorts_for)
    module = ScopedPrimaryKeyField(selectors.modules_for)
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, allow_null=True, help_text="Defaults to the module's hours"
    )

    class Meta:
        model = Session
        fields = ["id", "cohort", "module", "starts_at", "hours", "location"]


class AttendanceSerializer(serializers.Serializer):
    present = serializers.ListField(
        child=IdField(), allow_empty=True, help_text="Member IDs present; every other member is absent"
    )
    excused = serializers.ListField(
        child=IdField(),
        allow_empty=True,
        required=False,
        default=list,
        help_text="Member IDs excused (on leave); counted as the policy parameter training.excused_absence_counts says",
    )


class QuestionSerializer(serializers.ModelSerializer):
    choices = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list)

    class Meta:
        model = Question
        fields = ["id", "order", "text", "kind", "choices"]
        read_only_fields = ["order"]


class SurveySerializer(serializers.ModelSerializer):
    programme = ScopedPrimaryKeyField(selectors.programmes_for)
    questions = QuestionSerializer(many=True)

    class Meta:
        model = Survey
        fields = ["id", "programme", "title", "sent_at", "closes_at", "questions"]
        read_only_fields = ["sent_at", "closes_at"]


class SummaryRowSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk")
    text = serializers.CharField(source="question.text")
    kind = serializers.CharField(source="question.kind", help_text="choice, multiple, scale or text")
    answered = serializers.IntegerField()
    counts = inline_serializer(
        "SurveyChoiceCount",
        {"label": serializers.CharField(), "count": serializers.IntegerField()},
        many=True,
        required=False,
    )
    mean = serializers.FloatField(required=False, allow_null=True)
    texts = serializers.ListField(child=serializers.CharField(), required=False)


class AnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Question ID → answer: a choice, a list of choices, 1–5 for a scale, or text",
    )


class ActivitySerializer(serializers.ModelSerializer):
    organization = ScopedPrimaryKeyField(organizations_for, allow_null=True, required=False)
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code", queryset=Jurisdiction.objects.filter(is_active=True), allow_null=True, required=False
    )
    domain = serializers.PrimaryKeyRelatedField(
        queryset=ServiceDomain.objects.filter(is_active=True), allow_null=True, required=False
    )
    participants = ScopedPrimaryKeyField(people_for, many=True, required=False)

    class Meta:
        model = Activity
        fields = [
            "id",
            "organization",
            "jurisdiction",
            "title",
            "kind",
            "domain",
            "is_plan",
            "held_on",
            "hours",
            "participants",
        ]


# --- viewsets ------------------------------------------------------------------------------
#
# Permission first, then the payload: a role that may not write gets 403
# whatever it sends, not a 400 that describes the validation rules.


def _runs_a_programme(user) -> bool:
    """Curriculum, cohorts, sessions and surveys are written by the city and the
    commissioned trainer of a programme the user can see."""
    return any(permissions.can_run_programme(user, p) for p in selectors.programmes_for(user))


class RoleFirstCreateMixin(mixins.CreateModelMixin):
    def may_create(self, user) -> bool:
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        if not self.may_create(request.user):
            raise PermissionDenied
        return super().create(request, *args, **kwargs)


class ProgrammeViewSet(RoleFirstCreateMixin, viewsets.ReadOnlyModelViewSet):
    """The 百名督导 programmes: the city commissions one to a trainer organisation."""

    def may_create(self, user):
        return permissions.may_create_programmes(user)

    serializer_class = ProgrammeSerializer
    ordering_fields = ["starts_on", "name"]
    ordering = ["-starts_on"]

    def get_queryset(self):
        return selectors.programmes_for(self.request.user)

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.create_programme(actor=self.request.user, **serializer.validated_data)


class ModuleViewSet(RoleFirstCreateMixin, viewsets.ReadOnlyModelViewSet):
    def may_create(self, user):
        return _runs_a_programme(user)

    serializer_class = ModuleSerializer
    filterset_class = ModuleFilter
    ordering_fields = ["id", "hours"]
    ordering = ["id"]

    def get_queryset(self):
        return selectors.modules_for(self.request.user)

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.add_module(actor=self.request.user, **serializer.validated_data)


def _trainees_of(round_, ids):
    trainees = list(Trainee.objects.filter(round=round_, pk__in=set(ids)).select_related("person"))
    if len(trainees) != len(set(ids)):
        raise serializers.ValidationError({"trainees": [_("Some trainees are not trainees of the cohort's round.")]})
    return trainees


class CohortViewSet(RoleFirstCreateMixin, viewsets.ReadOnlyModelViewSet):
    def may_create(self, user):
        return _runs_a_programme(user)

    serializer_class = CohortSerializer
    filterset_class = CohortFilter
    ordering_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self):
        return selectors.cohorts_for(self.request.user).annotate(member_count=Count("members"))

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        trainees = _trainees_of(d["round"], d.pop("trainees", []))
        with service_errors():
            serializer.instance = services.create_cohort(
                actor=self.request.user, programme=d["programme"], name=d["name"], round_=d["round"], trainees=trainees
            )

    @extend_schema(request=MembersAddSerializer, responses={201: MemberSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        """Add trainees of the cohort's round."""
        cohort = self.get_object()
        if not permissions.can_run_programme(request.user, cohort.programme):
            raise PermissionDenied
        serializer = MembersAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        trainees = _trainees_of(cohort.round, serializer.validated_data["trainees"])
        with service_errors():
            members = services.add_members(actor=request.user, cohort=cohort, trainees=trainees)
        return Response(MemberSerializer(members, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ResultSerializer(many=True)})
    # A plain list: no paging, filtering or ordering parameters (the schema says so too).
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def results(self, request, pk=None):
        """Hours attended, attendance share, overall score and pass of every member."""
        cohort = self.get_object()
        if not permissions.can_see_results(request.user, cohort.programme):
            raise PermissionDenied
        return Response(ResultSerializer(selectors.results(cohort), many=True).data)

    @extend_schema(request=None, responses={200: ConfirmResultSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The city confirms the results; passing trainees enter the city pool."""
        with service_errors():
            outcome = services.confirm_results(actor=request.user, cohort=self.get_object())
        return Response(outcome)

    @extend_schema(
        request={"multipart/form-data": inline_serializer("ScoreSheetUpload", {"file": serializers.FileField()})},
        responses={201: ImportResultSerializer, 400: OpenApiResponse(ImportErrorSerializer)},
    )
    @action(detail=True, methods=["post"], url_path="scores-import", parser_classes=[MultiPartParser])
    def scores_import(self, request, pk=None):
        """The trainer's score sheet (.xlsx, the template of the cohort page): all rows or none."""
        cohort = self.get_object()
        if not permissions.is_trainer_of(request.user, cohort.programme):
            raise PermissionDenied(_("Only the commissioned trainer records assessment scores."))
        upload = request.FILES.get("file")
        if upload is None:
            return Response(
                {"errors": [{"row": 0, "message": _("Attach the score sheet as 'file'.")}]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            count = imports.import_scores(actor=request.user, cohort=cohort, upload=upload)
        except imports.ImportRejected as exc:
            return Response({"errors": [e.as_dict() for e in exc.errors]}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"imported": count}, status=status.HTTP_201_CREATED)


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cohort members with their scores; PATCH records the trainer's scores."""

    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    ordering_fields = ["id"]
    ordering = ["cohort", "trainee__person__name"]

    def get_queryset(self):
        return selectors.members_for(self.request.user)

    @extend_schema(request=ScoresSerializer, responses={200: MemberSerializer})
    def partial_update(self, request, pk=None):
        member = self.get_object()
        if not permissions.is_trainer_of(request.user, member.cohort.programme):
            raise PermissionDenied(_("Only the commissioned trainer records assessment scores."))
        serializer = ScoresSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        with service_errors():
            member = services.record_scores(
                actor=request.user,
                member=member,
                theory_score=d.get("theory_score", member.theory_score),
                practice_score=d.get("practice_score", member.practice_score),
            )
        return Response(MemberSerializer(self.get_queryset().get(pk=member.pk)).data)


class SessionViewSet(RoleFirstCreateMixin, viewsets.ReadOnlyModelViewSet):
    def may_create(self, user):
        return _runs_a_programme(user)

    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    ordering_fields = ["starts_at"]
    ordering = ["starts_at"]

    def get_queryset(self):
        return selectors.sessions_for(self.request.user)

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.schedule_session(actor=self.request.user, **serializer.validated_data)

    @extend_schema(
        request=AttendanceSerializer,
        responses={200: inline_serializer("AttendanceResult", {"present": serializers.IntegerField()})},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Record who was present; everyone else in the cohort is absent."""
        session = self.get_object()
        if not permissions.can_run_programme(request.user, session.cohort.programme):
            raise PermissionDenied
        serializer = AttendanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            count = services.record_attendance(
                actor=request.user,
                session=session,
                present_member_ids=serializer.validated_data["present"],
                excused_member_ids=serializer.validated_data["excused"],
            )
        return Response({"present": count})


class SurveyViewSet(RoleFirstCreateMixin, viewsets.ReadOnlyModelViewSet):
    def may_create(self, user):
        return _runs_a_programme(user)

    serializer_class = SurveySerializer
    filterset_class = SurveyFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return selectors.surveys_for(self.request.user)

    def perform_create(self, serializer):
        d = serializer.validated_data
        with service_errors():
            serializer.instance = services.create_survey(
                actor=self.request.user, programme=d["programme"], title=d["title"], questions=d["questions"]
            )

    @extend_schema(
        request=None, responses={200: inline_serializer("SurveySent", {"sent_to": serializers.IntegerField()})}
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Send the survey to every trainee of the programme."""
        with service_errors():
            count = services.send_survey(actor=request.user, survey=self.get_object())
        return Response({"sent_to": count})

    @extend_schema(responses={200: SummaryRowSerializer(many=True)})
    # A plain list: no paging, filtering or ordering parameters (the schema says so too).
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def summary(self, request, pk=None):
        """Per question: counts per choice, the mean of a scale, or the texts."""
        survey = self.get_object()
        if not permissions.can_see_results(request.user, survey.programme):
            raise PermissionDenied
        rows = []
        for row in services.survey_summary(survey):
            row = dict(row)
            if "counts" in row:
                row["counts"] = [{"label": label, "count": count} for label, count in row["counts"]]
            rows.append(row)
        return Response(SummaryRowSerializer(rows, many=True).data)

    @extend_schema(
        request=AnswersSerializer,
        responses={
            201: inline_serializer(
                "SurveyAnswered", {"id": serializers.IntegerField(), "submitted_at": serializers.DateTimeField()}
            )
        },
    )
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """A trainee's answers (sent again, they replace the earlier ones)."""
        survey = self.get_object()
        if selectors.member_for(request.user, survey.programme) is None:
            raise PermissionDenied(_("Only trainees of the programme answer its survey."))
        serializer = AnswersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            response = services.submit_response(
                actor=request.user, survey=survey, answers=serializer.validated_data["answers"]
            )
        return Response({"id": response.pk, "submitted_at": response.submitted_at}, status=status.HTTP_201_CREATED)


class ActivityViewSet(RoleFirstCreateMixin, viewsets.ReadOnlyModelViewSet):
    """Training agencies and districts organise themselves."""

    def may_create(self, user):
        organizations, jurisdictions = selectors.organiser_choices(user)
        return organizations.exists() or jurisdictions.exists()

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    ordering_fields = ["held_on", "hours", "title"]
    ordering = ["-held_on"]

    def get_queryset(self):
        return selectors.activities_for(self.request.user).prefetch_related("participants")

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.record_activity(actor=self.request.user, **serializer.validated_data)


def register(router):
    """Add this app's API viewsets to the /api/v1/ router."""
    router.register("programmes", ProgrammeViewSet, basename="training-programme")
    router.register("modules", ModuleViewSet, basename="training-module")
    router.register("cohorts", CohortViewSet, basename="training-cohort")
    router.register("members", MemberViewSet, basename="training-member")
    router.register("sessions", SessionViewSet, basename="training-session")
    router.register("surveys", SurveyViewSet, basename="training-survey")
    router.register("activities", ActivityViewSet, basename="training-activity")
