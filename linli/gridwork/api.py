"""Grid-work API: patrols, visits, survey rounds and 民情 records. One class per operation;
services do the work, ``access`` decides who may (refused and missing are the same 404)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.accounts.scope import scope_for
from linli.core.errors import bool_param, call_service, int_param
from linli.core.serializers import IdField
from linli.gridwork import access, selectors, services
from linli.gridwork.models import SENTIMENT_TOPICS, Mood, Patrol, Round, Visit
from linli.registry.models import Place, PlaceKind, Resident
from linli.registry.vocabulary import grid_family

COORD = {"required": False, "allow_null": True, "max_digits": 9, "decimal_places": 6}


def _one(qs, pk):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound
    return obj


# ---- patrols ------------------------------------------------------------------------------------------


class PatrolOutput(serializers.Serializer):
    id = serializers.IntegerField()
    worker = serializers.CharField()
    grid_id = serializers.IntegerField()
    compound_id = serializers.IntegerField()
    compound = serializers.CharField(source="compound.name")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    auto_closed = serializers.BooleanField()
    by_qr = serializers.BooleanField()
    note = serializers.CharField()


class PatrolStartInput(serializers.Serializer):
    compound_id = IdField()
    latitude = serializers.DecimalField(**COORD)
    longitude = serializers.DecimalField(**COORD)
    by_qr = serializers.BooleanField(required=False, default=False)


class PatrolEndInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    latitude = serializers.DecimalField(**COORD)
    longitude = serializers.DecimalField(**COORD)


def _patrols(request):
    """One's own patrols and those of the grids one oversees."""
    scope = scope_for(request.user)
    return (Patrol.objects.filter(worker=request.user) | scope.filter(Patrol.objects.all(), access.VIEW_GRIDWORK)).select_related(
        "compound", "worker"
    )


class PatrolListStartApi(GenericAPIView):
    serializer_class = PatrolOutput

    @extend_schema(
        operation_id="gridwork_patrols_list",
        responses=PatrolOutput(many=True),
        parameters=[OpenApiParameter("grid", int), OpenApiParameter("open", bool, description="only patrols still open")],
    )
    def get(self, request):
        qs = _patrols(request)
        grid_id = int_param(request, "grid")
        if grid_id:
            qs = qs.filter(grid_id__in=grid_family([grid_id]))
        if bool_param(request, "open"):
            qs = qs.filter(ended_at__isnull=True)
        page = self.paginate_queryset(qs.order_by("-started_at"))
        return self.get_paginated_response(PatrolOutput(page, many=True).data)

    @extend_schema(operation_id="gridwork_patrol_start", request=PatrolStartInput, responses={201: PatrolOutput})
    def post(self, request):
        data = PatrolStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        compound = _one(access.patrol_compounds(scope_for(request.user)), v["compound_id"])
        patrol = call_service(
            lambda: services.patrol_start(
                actor=request.user, compound=compound, latitude=v.get("latitude"), longitude=v.get("longitude"), by_qr=v["by_qr"]
            )
        )
        return Response(PatrolOutput(patrol).data, status=status.HTTP_201_CREATED)


class PatrolEndApi(APIView):
    @extend_schema(operation_id="gridwork_patrol_end", request=PatrolEndInput, responses=PatrolOutput)
    def post(self, request, pk):
        patrol = _one(Patrol.objects.filter(worker=request.user).select_related("compound", "worker"), pk)
        data = PatrolEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        patrol = call_service(
            lambda: services.patrol_end(
                actor=request.user, patrol=patrol, note=v["note"], latitude=v.get("latitude"), longitude=v.get("longitude")
            )
        )
        return Response(PatrolOutput(patrol).data)


class WorkerDayOutput(serializers.Serializer):
    day = serializers.DateField()
    minutes = serializers.IntegerField()
    ok = serializers.BooleanField()


class WorkerComplianceOutput(serializers.Serializer):
    worker = serializers.CharField()
    grid_id = serializers.IntegerField()
    full_time = serializers.BooleanField()
    short_days = serializers.IntegerField()
    days = WorkerDayOutput(many=True)


class ComplianceOutput(serializers.Serializer):
    min_minutes_per_day = serializers.IntegerField()
    working_days_only = serializers.BooleanField()
    workers = WorkerComplianceOutput(many=True)


class ComplianceApi(APIView):
    @extend_schema(
        operation_id="gridwork_compliance",
        responses=ComplianceOutput,
        parameters=[OpenApiParameter("grid", int, required=True), OpenApiParameter("days", int, description="working days back, 1–31")],
    )
    def get(self, request):
        """Each grid worker's minutes in the compounds per day the rule applies to (59 is short, 60 is not)."""
        grid = _one(access.viewable_grids(scope_for(request.user)), int_param(request, "grid", required=True))
        n_days = min(int_param(request, "days") or 10, 31)
        data = selectors.compliance(grid_family([grid.pk]), community_id=grid.community_id, n_days=n_days)
        rule = data["rule"]
        workers = [
            {
                "worker": str(w.assignment.user),
                "grid_id": w.assignment.grid_id,
                "full_time": w.assignment.full_time,
                "short_days": w.short_days,
                "days": [{"day": d, "minutes": m, "ok": ok} for d, m, ok in w.days],
            }
            for w in data["workers"]
        ]
        return Response(
            ComplianceOutput(
                {"min_minutes_per_day": rule.min_minutes_per_day, "working_days_only": rule.working_days_only, "workers": workers}
            ).data
        )


# ---- visits -------------------------------------------------------------------------------------------


class VisitOutput(serializers.Serializer):
    id = serializers.IntegerField()
    household_id = serializers.IntegerField()
    address = serializers.CharField(source="household.dwelling.address")
    worker = serializers.CharField()
    kind = serializers.CharField()
    visited_at = serializers.DateTimeField()
    content = serializers.CharField()
    needs = serializers.CharField()
    follow_up = serializers.CharField()


class VisitInput(serializers.Serializer):
    household_id = IdField()
    kind = serializers.ChoiceField(choices=Visit.Kind.choices, default=Visit.Kind.HOME)
    content = serializers.CharField(max_length=4000)
    needs = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    follow_up = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    people_met_ids = serializers.ListField(child=IdField(), required=False, default=list, max_length=30)
    visited_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    patrol_id = IdField(required=False, allow_null=True, default=None)


class VisitListCreateApi(GenericAPIView):
    serializer_class = VisitOutput

    @extend_schema(operation_id="gridwork_visits_list", responses=VisitOutput(many=True), parameters=[OpenApiParameter("household", int)])
    def get(self, request):
        qs = access.visible_visits(scope_for(request.user), request.user).select_related("household__dwelling", "worker")
        household_id = int_param(request, "household")
        if household_id:
            qs = qs.filter(household_id=household_id)
        page = self.paginate_queryset(qs.order_by("-visited_at"))
        return self.get_paginated_response(VisitOutput(page, many=True).data)

    @extend_schema(operation_id="gridwork_visit_record", request=VisitInput, responses={201: VisitOutput})
    def post(self, request):
        data = VisitInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        household = _one(access.visitable_households(scope_for(request.user), request.user).select_related("dwelling"), v["household_id"])
        people = list(Resident.objects.filter(pk__in=v["people_met_ids"], household=household))
        if len(people) != len(set(v["people_met_ids"])):
            raise serializers.ValidationError({"people_met_ids": ["见到的人须是该户成员。"]})
        patrol = _one(Patrol.objects.filter(worker=request.user), v["patrol_id"]) if v["patrol_id"] else None
        visit = call_service(
            lambda: services.visit_record(
                actor=request.user,
                household=household,
                kind=v["kind"],
                content=v["content"],
                needs=v["needs"],
                follow_up=v["follow_up"],
                people_met=people,
                visited_at=v["visited_at"],
                patrol=patrol,
            )
        )
        return Response(VisitOutput(visit).data, status=status.HTTP_201_CREATED)


class VisitTargetOutput(serializers.Serializer):
    household_id = serializers.IntegerField(source="household.pk")
    address = serializers.CharField(source="household.dwelling.address")
    tags = serializers.ListField(child=serializers.CharField())
    every_days = serializers.IntegerField()
    last_visit = serializers.DateField(allow_null=True)
    due_on = serializers.DateField()
    overdue_days = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["overdue", "due_today", "due_soon", "later"])


class VisitTargetsApi(GenericAPIView):
    serializer_class = VisitTargetOutput

    @extend_schema(
        operation_id="gridwork_visit_targets",
        responses=VisitTargetOutput(many=True),
        parameters=[
            OpenApiParameter("grid", int, description="a grid one oversees; without it, one's own households"),
            OpenApiParameter("state", str, enum=["overdue", "due", "all"]),
        ],
    )
    def get(self, request):
        """Households due and overdue for a visit by their care tags' frequency."""
        scope = scope_for(request.user)
        grid_id = int_param(request, "grid")
        state = request.query_params.get("state", "overdue")
        if state not in ("overdue", "due", "all"):
            raise serializers.ValidationError({"state": ["overdue, due or all"]})
        if grid_id:
            grid = _one(access.viewable_grids(scope), grid_id)
            targets = selectors.visit_targets(grid_ids=[grid.pk], community_id=grid.community_id)
        else:
            targets = selectors.my_visit_targets(request.user, scope)
        wanted = {"overdue": {"overdue"}, "due": {"due_today", "due_soon"}, "all": {"overdue", "due_today", "due_soon", "later"}}[state]
        page = self.paginate_queryset([t for t in targets if t.state in wanted])
        return self.get_paginated_response(VisitTargetOutput(page, many=True).data)


# ---- 民情 ------------------------------------------------------------------------------------------------


class SentimentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    grid_id = serializers.IntegerField()
    household_id = serializers.IntegerField(allow_null=True)
    place_id = serializers.IntegerField(allow_null=True)
    topics = serializers.ListField(child=serializers.CharField())
    mood = serializers.CharField()
    note = serializers.CharField()
    follow_up_needed = serializers.BooleanField()
    follow_up_done = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class SentimentInput(serializers.Serializer):
    household_id = IdField(required=False, allow_null=True, default=None)
    place_id = IdField(required=False, allow_null=True, default=None, help_text="a compound or building, when not about one household")
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SENTIMENT_TOPICS)), required=False, default=list, max_length=9
    )
    mood = serializers.ChoiceField(choices=Mood.choices, default=Mood.NEUTRAL)
    note = serializers.CharField(max_length=2000)
    follow_up_needed = serializers.BooleanField(required=False, default=False)


class SentimentListCreateApi(GenericAPIView):
    serializer_class = SentimentOutput

    @extend_schema(
        operation_id="gridwork_sentiments_list", responses=SentimentOutput(many=True), parameters=[OpenApiParameter("follow_up", bool)]
    )
    def get(self, request):
        qs = access.visible_sentiments(scope_for(request.user), request.user)
        if bool_param(request, "follow_up"):
            qs = qs.filter(follow_up_needed=True, follow_up_done=False)
        page = self.paginate_queryset(qs.order_by("-created_at"))
        return self.get_paginated_response(SentimentOutput(page, many=True).data)

    @extend_schema(operation_id="gridwork_sentiment_record", request=SentimentInput, responses={201: SentimentOutput})
    def post(self, request):
        data = SentimentInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        scope = scope_for(request.user)
        household = place = None
        if v["household_id"]:
            household = _one(access.visitable_households(scope, request.user).select_related("dwelling"), v["household_id"])
        elif v["place_id"]:
            place = _one(Place.objects.filter(kind__in=[PlaceKind.COMPOUND, PlaceKind.BUILDING]), v["place_id"])
        else:
            raise serializers.ValidationError({"household_id": ["household_id 或 place_id 必填其一。"]})
        record = call_service(
            lambda: services.sentiment_record(
                actor=request.user,
                household=household,
                place=place,
                topics=v["topics"],
                mood=v["mood"],
                note=v["note"],
                follow_up_needed=v["follow_up_needed"],
            )
        )
        return Response(SentimentOutput(record).data, status=status.HTTP_201_CREATED)


# ---- rounds -----------------------------------------------------------------------------------------------


class QuestionOutput(serializers.Serializer):
    text = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField())


class RoundOutput(serializers.Serializer):
    id = serializers.IntegerField()
    community_id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    theme = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    questions = QuestionOutput(many=True)


class CoverageOutput(serializers.Serializer):
    grid_id = serializers.IntegerField(source="grid.pk")
    grid = serializers.CharField(source="grid.name")
    households = serializers.IntegerField()
    reached = serializers.IntegerField()
    percent = serializers.FloatField()


class OptionCountOutput(serializers.Serializer):
    option = serializers.CharField()
    count = serializers.IntegerField()


class ResultOutput(serializers.Serializer):
    text = serializers.CharField()
    options = OptionCountOutput(many=True)


class RoundDetailOutput(RoundOutput):
    coverage = CoverageOutput(many=True)
    results = ResultOutput(many=True)


class RoundListApi(GenericAPIView):
    serializer_class = RoundOutput

    @extend_schema(operation_id="gridwork_rounds_list", responses=RoundOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(access.visible_rounds(scope_for(request.user)).order_by("-starts_on", "-pk"))
        return self.get_paginated_response(RoundOutput(page, many=True).data)


def _round(request, pk) -> Round:
    rnd = _one(Round.objects.select_related("community"), pk)
    if not access.can_view_round(scope_for(request.user), rnd):
        raise NotFound
    return rnd


class RoundDetailApi(APIView):
    @extend_schema(operation_id="gridwork_round", responses=RoundDetailOutput)
    def get(self, request, pk):
        """A round with its coverage per grid (percent of households reached) and, for a survey, the answers as counts."""
        rnd = _round(request, pk)
        results = [
            {"text": r["text"], "options": [{"option": o, "count": n} for o, n in r["options"]]} for r in selectors.round_results(rnd)
        ]
        payload = {**RoundOutput(rnd).data, "coverage": CoverageOutput(selectors.round_coverage(rnd), many=True).data, "results": results}
        return Response(payload)


class ContactOutput(serializers.Serializer):
    id = serializers.IntegerField()
    round_id = serializers.IntegerField()
    household_id = serializers.IntegerField()
    answers = serializers.DictField(child=serializers.IntegerField())
    note = serializers.CharField()
    reached_at = serializers.DateTimeField()


class ContactInput(serializers.Serializer):
    household_id = IdField()
    answers = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=100), required=False, default=dict)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class RoundContactApi(APIView):
    @extend_schema(operation_id="gridwork_round_contact", request=ContactInput, responses={201: ContactOutput})
    def post(self, request, pk):
        """A household reached in the round (once), with its answers: question index → option index."""
        rnd = _round(request, pk)
        data = ContactInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        household = _one(access.visitable_households(scope_for(request.user), request.user).select_related("dwelling"), v["household_id"])
        contact = call_service(
            lambda: services.round_contact(actor=request.user, round=rnd, household=household, answers=v["answers"], note=v["note"])
        )
        return Response(ContactOutput(contact).data, status=status.HTTP_201_CREATED)
