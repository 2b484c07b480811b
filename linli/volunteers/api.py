"""Volunteers API: one class per operation, services do the work, access decides who may."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.accounts.scope import scope_for
from linli.core.errors import call_service, int_param
from linli.registry.models import Place, PlaceKind
from linli.volunteers import access, selectors, services
from linli.volunteers.models import Activity, Availability, Offer, Skill, Team

NOT_FOUND = OpenApiResponse(description="not found, or not yours to see (the same answer)")


class ActivityOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    location = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    places_left = serializers.IntegerField()
    status = serializers.CharField()
    team = serializers.CharField(source="team.name", allow_null=True, default=None)


class SignUpOutput(serializers.Serializer):
    activity_id = serializers.IntegerField()
    status = serializers.CharField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    checked_out_at = serializers.DateTimeField(allow_null=True)
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)


class VolunteerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    points = serializers.IntegerField()
    stars = serializers.IntegerField()


class EntryOutput(serializers.Serializer):
    kind = serializers.CharField()
    hours = serializers.DecimalField(max_digits=6, decimal_places=1)
    points = serializers.IntegerField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class MeOutput(serializers.Serializer):
    volunteer = VolunteerOutput()
    entries = EntryOutput(many=True)


def _volunteer_out(volunteer):
    stars = selectors.star_level(volunteer.hours, selectors.policy(volunteer.community).star_hours)
    return VolunteerOutput(
        {
            "id": volunteer.pk,
            "name": volunteer.name,
            "status": volunteer.status,
            "hours": volunteer.hours,
            "points": volunteer.points,
            "stars": stars,
        }
    ).data


class RegisterInput(serializers.Serializer):
    skills = serializers.ListField(child=serializers.ChoiceField(choices=Skill.choices), min_length=1, max_length=len(Skill.values))
    availability = serializers.ListField(
        child=serializers.ChoiceField(choices=Availability.choices), required=False, default=list, max_length=len(Availability.values)
    )
    introduction = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    team_id = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class VolunteerMeApi(APIView):
    @extend_schema(responses={200: MeOutput, 404: NOT_FOUND}, operation_id="volunteer_me")
    def get(self, request):
        volunteer = access.volunteer_of(request.user)
        if volunteer is None:
            raise NotFound
        entries = selectors.ledger(volunteer)[:50]
        return Response({"volunteer": _volunteer_out(volunteer), "entries": EntryOutput(entries, many=True).data})

    @extend_schema(request=RegisterInput, responses={201: VolunteerOutput, 404: NOT_FOUND}, operation_id="volunteer_register")
    def post(self, request):
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        team = None
        if v.get("team_id"):
            team = Team.objects.filter(pk=v["team_id"]).first()
            if team is None:
                raise NotFound
        volunteer = call_service(
            lambda: services.volunteer_register(
                actor=request.user, skills=v["skills"], availability=v["availability"], introduction=v["introduction"], team=team
            )
        )
        return Response(_volunteer_out(volunteer), status=status.HTTP_201_CREATED)


class ActivityListApi(APIView):
    @extend_schema(
        responses={200: ActivityOutput(many=True), 404: NOT_FOUND},
        parameters=[OpenApiParameter("community", int, required=False, description="default: your own community")],
        operation_id="volunteer_activities",
    )
    def get(self, request):
        pk = int_param(request, "community")
        if pk:
            community = Place.objects.filter(pk=pk, kind=PlaceKind.COMMUNITY).first()
        else:
            volunteer = access.volunteer_of(request.user)
            community = volunteer.community if volunteer else access.home_community_for_volunteering(request.user)
        if community is None:
            raise NotFound
        return Response(ActivityOutput(selectors.activities(community)[:100], many=True).data)


def _activity(request, pk) -> Activity:
    activity = Activity.objects.select_related("community", "team", "campaign").filter(pk=pk).first()
    if activity is None or not access.can_view_activity(scope_for(request.user), request.user, activity):
        raise NotFound
    return activity


class ActivitySignUpApi(APIView):
    @extend_schema(request=None, responses=SignUpOutput, operation_id="volunteer_activity_signup")
    def post(self, request, pk):
        activity = _activity(request, pk)
        return Response(SignUpOutput(call_service(lambda: services.activity_sign_up(actor=request.user, activity=activity))).data)


class ActivityWithdrawApi(APIView):
    @extend_schema(request=None, responses=SignUpOutput, operation_id="volunteer_activity_withdraw")
    def post(self, request, pk):
        activity = _activity(request, pk)
        return Response(SignUpOutput(call_service(lambda: services.activity_withdraw(actor=request.user, activity=activity))).data)


class CheckInput(serializers.Serializer):
    token = serializers.CharField(max_length=64, help_text="from the QR at the place")
    direction = serializers.ChoiceField(choices=["in", "out"])


class ActivityCheckApi(APIView):
    @extend_schema(request=CheckInput, responses=SignUpOutput, operation_id="volunteer_activity_check")
    def post(self, request, pk):
        activity = _activity(request, pk)
        data = CheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        signup = call_service(
            lambda: services.activity_check(actor=request.user, activity=activity, token=v["token"], direction=v["direction"])
        )
        return Response(SignUpOutput(signup).data)


class OfferOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    merchant = serializers.CharField(source="merchant.name")
    points_cost = serializers.IntegerField()
    per_person_month = serializers.IntegerField()


class CodeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    status = serializers.CharField()
    points = serializers.IntegerField()
    expires_at = serializers.DateTimeField()
    offer = serializers.CharField(source="offer.title")


class OfferListApi(APIView):
    @extend_schema(responses=OfferOutput(many=True), operation_id="volunteer_offers")
    def get(self, request):
        rows = [o for o in selectors.offers_with_use(access.offers_for(request.user)) if access.can_issue_code(request.user, o)]
        return Response(OfferOutput(rows, many=True).data)


class OfferCodeApi(APIView):
    @extend_schema(request=None, responses={201: CodeOutput}, operation_id="volunteer_offer_code")
    def post(self, request, pk):
        offer = Offer.objects.select_related("merchant", "community").filter(pk=pk).first()
        if offer is None:
            raise NotFound
        redemption = call_service(lambda: services.code_issue(actor=request.user, offer=offer))
        return Response(CodeOutput(redemption).data, status=status.HTTP_201_CREATED)


class ConfirmInput(serializers.Serializer):
    code = serializers.CharField(max_length=12)


class RedemptionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    points = serializers.IntegerField()
    offer = serializers.CharField(source="offer.title")
    redeemed_at = serializers.DateTimeField(allow_null=True)


class CodeConfirmApi(APIView):
    @extend_schema(request=ConfirmInput, responses={200: RedemptionOutput, 404: NOT_FOUND}, operation_id="volunteer_code_confirm")
    def post(self, request):
        if not access.merchant_ids(scope_for(request.user)):
            raise NotFound
        data = ConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        redemption = call_service(lambda: services.code_confirm(actor=request.user, code=data.validated_data["code"]))
        return Response(RedemptionOutput(redemption).data)
