"""Councils API: one class per operation, services do the work, access decides who may."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.core.errors import call_service
from linli.councils import selectors, services
from linli.councils.models import RULE_LABELS, Vote
from linli.councils.voting import Choice


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
    rule = serializers.ChoiceField(choices=list(RULE_LABELS))
    status = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True)
    result_lines = serializers.ListField(child=serializers.CharField(), source="result_text")
    figures = serializers.DictField()


class BallotInput(serializers.Serializer):
    choice = serializers.ChoiceField(choices=[c.value for c in Choice])
    voter_key = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=64, help_text="staff recording a paper ballot"
    )


def _vote(request, pk) -> Vote:
    return selectors.access_vote(request.user, pk)


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
