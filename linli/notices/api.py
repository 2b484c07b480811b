"""Notices API: one class per operation; services do the work, access decides who may. Refused
and missing answer the same 404."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.accounts.scope import scope_for
from linli.core.errors import call_service, int_param
from linli.notices import access, selectors, services
from linli.notices.models import Group, Priority, Receipt
from linli.registry.models import Grid, Place
from linli.registry.vocabulary import own_resident_id

NOT_FOUND = OpenApiResponse(description="not found, or not yours to see (the same answer)")
MAX_ID = 2**63 - 1


def _id(**kw):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kw)


class NoticeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    priority = serializers.CharField()
    status = serializers.CharField()
    audience = serializers.CharField(source="audience_label")
    published_at = serializers.DateTimeField()
    recipients = serializers.IntegerField()
    read_at = serializers.DateTimeField(source="my_read_at", allow_null=True, default=None, help_text="your own receipt")


class NoticeInput(serializers.Serializer):
    community_id = _id()
    place_id = _id(required=False, help_text="exactly one of place_id, grid_id, group_id")
    grid_id = _id(required=False)
    group_id = _id(required=False)
    title = serializers.CharField(max_length=60)
    body = serializers.CharField(max_length=2000)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    sms = serializers.BooleanField(default=False)
    idempotency_key = serializers.RegexField(r"^[\x21-\x7e]{1,64}$", required=False, help_text="a repeat returns the first notice")


class NoticesApi(APIView):
    @extend_schema(responses={200: NoticeOutput(many=True)}, operation_id="notices_list")
    def get(self, request):
        qs = selectors.inbox(scope_for(request.user), request.user)[:100]
        return Response(NoticeOutput(qs, many=True).data)

    @extend_schema(request=NoticeInput, responses={201: NoticeOutput, 200: NoticeOutput, 404: NOT_FOUND}, operation_id="notices_publish")
    def post(self, request):
        data = NoticeInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        community = Place.objects.filter(pk=v["community_id"], kind="community").first()
        target = {}
        for key, model in (("place", Place), ("grid", Grid), ("group", Group)):
            if f"{key}_id" in v:
                target[key] = model.objects.filter(pk=v[f"{key}_id"]).first()
                if target[key] is None:
                    raise NotFound
        if community is None:
            raise NotFound
        notice, created = call_service(
            lambda: services.notice_publish(
                actor=request.user,
                community=community,
                title=v["title"],
                body=v["body"],
                priority=v["priority"],
                sms=v["sms"],
                idempotency_key=v.get("idempotency_key"),
                **target,
            )
        )
        return Response(NoticeOutput(notice).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _notice(request, pk):
    try:
        return selectors.access_notice(scope_for(request.user), request.user, pk)
    except Http404:
        raise NotFound from None


class NoticeApi(APIView):
    @extend_schema(responses={200: NoticeOutput, 404: NOT_FOUND}, operation_id="notices_read")
    def get(self, request, pk):
        """Reading the notice is your receipt."""
        notice = _notice(request, pk)
        services.notice_read(actor=request.user, notice=notice)
        notice.my_read_at = (
            Receipt.objects.filter(notice=notice, resident_id=own_resident_id(request.user) or 0).values_list("read_at", flat=True).first()
        )
        return Response(NoticeOutput(notice).data)


class UnreadOutput(serializers.Serializer):
    receipt_id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="resident.name")
    address = serializers.CharField(source="dwelling.address")
    reminders = serializers.IntegerField()


class UnreadApi(APIView):
    @extend_schema(responses={200: UnreadOutput(many=True), 404: NOT_FOUND}, operation_id="notices_unread")
    def get(self, request, pk):
        """Who in your reach has not read it (a building head: their stairwells), 200 at a time
        (``after``: the last receipt_id of the previous page)."""
        scope = scope_for(request.user)
        notice = _notice(request, pk)
        if not access.follows(scope, notice):
            raise NotFound
        after = int_param(request, "after") or 0
        rows = selectors.unread(scope, notice).filter(pk__gt=after).order_by("pk")[:200]
        return Response(UnreadOutput(rows, many=True).data)


class RemindOutput(serializers.Serializer):
    reminded = serializers.IntegerField()


class RemindApi(APIView):
    @extend_schema(request=None, responses={200: RemindOutput, 404: NOT_FOUND}, operation_id="notices_remind")
    def post(self, request, pk):
        notice = _notice(request, pk)
        return Response({"reminded": call_service(lambda: services.notice_remind(actor=request.user, notice=notice))})


class ToldApi(APIView):
    @extend_schema(request=None, responses={200: UnreadOutput, 404: NOT_FOUND}, operation_id="notices_receipt_told")
    def post(self, request, pk):
        """上门告知: the person was told at the door."""
        receipt = Receipt.objects.select_related("notice__community", "dwelling", "resident").filter(pk=pk).first()
        if receipt is None or not access.follows(scope_for(request.user), receipt.notice):
            raise NotFound
        return Response(UnreadOutput(call_service(lambda: services.receipt_mark_told(actor=request.user, receipt=receipt))).data)


class ReplyInput(serializers.Serializer):
    text = serializers.CharField(max_length=500)


class ReplyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReplyApi(APIView):
    @extend_schema(request=ReplyInput, responses={201: ReplyOutput, 200: ReplyOutput, 404: NOT_FOUND}, operation_id="notices_reply")
    def post(self, request, pk):
        notice = _notice(request, pk)
        data = ReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        reply, created = call_service(lambda: services.reply_post(actor=request.user, notice=notice, text=data.validated_data["text"]))
        return Response(ReplyOutput(reply).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
