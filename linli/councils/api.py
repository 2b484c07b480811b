"""Councils and micro-wishes API: one class per operation, services do the work."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.api.errors import call_service
from linli.councils import selectors, services
from linli.councils.models import Vote
from linli.registry.models import Place, PlaceKind
from linli.wishes import selectors as wish_selectors
from linli.wishes import services as wish_services
from linli.wishes.models import Wish


class CouncilOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    community_id = serializers.IntegerField()
    compound_id = serializers.IntegerField(allow_null=True)
    support_threshold = serializers.IntegerField()
    procedure = serializers.ListField(child=serializers.CharField())


class CouncilListApi(APIView):
    @extend_schema(responses=CouncilOutput(many=True), operation_id="councils_list")
    def get(self, request):
        return Response(CouncilOutput(selectors.councils_for(request.user), many=True).data)


class TopicOutput(serializers.Serializer):
    id = serializers.IntegerField()
    council_id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    source = serializers.CharField()
    step = serializers.CharField()
    status = serializers.CharField()
    support_count = serializers.IntegerField(required=False)


class TopicProposeInput(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class CouncilTopicsApi(APIView):
    @extend_schema(responses=TopicOutput(many=True), operation_id="council_topics_list")
    def get(self, request, pk):
        council = selectors.access_council(request.user, pk)
        return Response(TopicOutput(selectors.topics_of(council), many=True).data)

    @extend_schema(request=TopicProposeInput, responses={201: TopicOutput}, operation_id="council_topic_propose")
    def post(self, request, pk):
        council = selectors.access_council(request.user, pk)
        data = TopicProposeInput(data=request.data)
        data.is_valid(raise_exception=True)
        topic = call_service(lambda: services.topic_propose(actor=request.user, council=council, **data.validated_data))
        return Response(TopicOutput(topic).data, status=status.HTTP_201_CREATED)


class TopicSupportApi(APIView):
    @extend_schema(request=None, responses=TopicOutput, operation_id="topic_support")
    def post(self, request, pk):
        topic = selectors.access_topic(request.user, pk)
        call_service(lambda: services.topic_support(actor=request.user, topic=topic))
        topic.refresh_from_db()
        return Response(TopicOutput(topic).data)


class VoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    topic_id = serializers.IntegerField()
    option_id = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField()
    status = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True)
    result_lines = serializers.ListField(child=serializers.CharField())
    figures = serializers.DictField()


class BallotInput(serializers.Serializer):
    choice = serializers.ChoiceField(choices=["for", "against", "abstain"])
    voter_key = serializers.CharField(required=False, allow_blank=True, default="", help_text="staff recording a paper ballot")


def _vote(request, pk) -> Vote:
    vote = get_object_or_404(Vote.objects.select_related("topic__council"), pk=pk)
    selectors.access_topic(request.user, vote.topic_id)
    return vote


class VoteDetailApi(APIView):
    @extend_schema(responses=VoteOutput, operation_id="vote_retrieve")
    def get(self, request, pk):
        return Response(VoteOutput(_vote(request, pk)).data)


class BallotCastApi(APIView):
    @extend_schema(request=BallotInput, responses={201: None}, operation_id="vote_cast")
    def post(self, request, pk):
        vote = _vote(request, pk)
        data = BallotInput(data=request.data)
        data.is_valid(raise_exception=True)
        call_service(
            lambda: services.ballot_cast(
                actor=request.user, vote=vote, choice=data.validated_data["choice"], voter_key=data.validated_data["voter_key"] or None
            )
        )
        return Response(status=status.HTTP_201_CREATED)


class VoteCloseApi(APIView):
    @extend_schema(request=None, responses=VoteOutput, operation_id="vote_close")
    def post(self, request, pk):
        vote = _vote(request, pk)
        return Response(VoteOutput(call_service(lambda: services.vote_close(actor=request.user, vote=vote))).data)


class WishOutput(serializers.Serializer):
    """The public view of a wish: never the resident's name or dwelling."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    public_name = serializers.CharField()
    public_tag = serializers.CharField()
    compound = serializers.CharField(source="compound.name")


class WishPostInput(serializers.Serializer):
    resident_id = serializers.IntegerField(required=False, help_text="when posting for a resident in your scope")
    kind = serializers.ChoiceField(choices=Wish.Kind.choices)
    title = serializers.CharField(max_length=60)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class WishWallApi(APIView):
    @extend_schema(
        responses=WishOutput(many=True), parameters=[OpenApiParameter("community", int, required=True)], operation_id="wishes_wall"
    )
    def get(self, request):
        community = get_object_or_404(Place, pk=request.query_params.get("community") or 0, kind=PlaceKind.COMMUNITY)
        return Response(WishOutput(wish_selectors.wall(community), many=True).data)

    @extend_schema(request=WishPostInput, responses={201: WishOutput}, operation_id="wish_post")
    def post(self, request):
        from linli.accounts.scope import Capability, scope_for

        data = WishPostInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v.get("resident_id"):
            resident = scope_for(request.user).residents(capability=Capability.REPORT_FOR_OTHERS).filter(pk=v["resident_id"]).first()
        else:
            resident = request.user.resident
        if resident is None:
            raise NotFound
        wish = call_service(
            lambda: wish_services.wish_post(
                actor=request.user, resident=resident, kind=v["kind"], title=v["title"], description=v["description"]
            )
        )
        return Response(WishOutput(wish).data, status=status.HTTP_201_CREATED)


class _WishActionApi(APIView):
    action = ""

    def post(self, request, pk):
        wish = get_object_or_404(Wish.objects.select_related("compound"), pk=pk)
        fn = {"claim": wish_services.wish_claim, "confirm": wish_services.wish_confirm, "approve": wish_services.wish_approve}[self.action]
        return Response(WishOutput(call_service(lambda: fn(actor=request.user, wish=wish))).data)


class WishClaimApi(_WishActionApi):
    action = "claim"

    @extend_schema(request=None, responses=WishOutput, operation_id="wish_claim")
    def post(self, request, pk):
        return super().post(request, pk)


class WishConfirmApi(_WishActionApi):
    action = "confirm"

    @extend_schema(request=None, responses=WishOutput, operation_id="wish_confirm")
    def post(self, request, pk):
        return super().post(request, pk)


class WishApproveApi(_WishActionApi):
    action = "approve"

    @extend_schema(request=None, responses=WishOutput, operation_id="wish_approve")
    def post(self, request, pk):
        return super().post(request, pk)
