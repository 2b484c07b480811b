"""Micro-wishes API: one class per operation, services do the work, access decides who may."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.accounts.scope import scope_for
from linli.core.errors import call_service, int_param
from linli.core.serializers import IdField
from linli.registry.models import Organisation, Place, PlaceKind
from linli.wishes import access, selectors, services
from linli.wishes.models import Wish


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
    resident_id = IdField(required=False, help_text="when posting for a resident in your scope")
    kind = serializers.ChoiceField(choices=Wish.Kind.choices)
    title = serializers.CharField(max_length=60)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class WishWallApi(APIView):
    @extend_schema(
        responses=WishOutput(many=True), parameters=[OpenApiParameter("community", int, required=True)], operation_id="wishes_wall"
    )
    def get(self, request):
        community = get_object_or_404(Place, pk=int_param(request, "community", required=True), kind=PlaceKind.COMMUNITY)
        return Response(WishOutput(selectors.wall(community), many=True).data)

    @extend_schema(request=WishPostInput, responses={201: WishOutput}, operation_id="wish_post")
    def post(self, request):
        data = WishPostInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v.get("resident_id"):
            resident = access.residents_postable_for(scope_for(request.user)).filter(pk=v["resident_id"]).first()
        else:
            resident = request.user.resident if request.user.resident_id else None
        if resident is None:
            raise NotFound
        wish = call_service(
            lambda: services.wish_post(
                actor=request.user, resident=resident, kind=v["kind"], title=v["title"], description=v["description"]
            )
        )
        return Response(WishOutput(wish).data, status=status.HTTP_201_CREATED)


def _wish(request, pk) -> Wish:
    """Fetch + permission in one step; missing and forbidden are the same 404."""
    wish = Wish.objects.select_related("compound", "community").filter(pk=pk).first()
    if wish is None or not access.can_view(scope_for(request.user), request.user, wish):
        raise NotFound
    return wish


class _WishActionApi(APIView):
    action = ""

    def post(self, request, pk):
        wish = _wish(request, pk)
        fn = {"confirm": services.wish_confirm, "approve": services.wish_approve}[self.action]
        return Response(WishOutput(call_service(lambda: fn(actor=request.user, wish=wish))).data)


class WishClaimInput(serializers.Serializer):
    organisation_id = IdField(required=False, help_text="claim for your unit (it must belong to the wish's community)")


class WishClaimApi(APIView):
    @extend_schema(request=WishClaimInput, responses=WishOutput, operation_id="wish_claim")
    def post(self, request, pk):
        wish = _wish(request, pk)
        data = WishClaimInput(data=request.data)
        data.is_valid(raise_exception=True)
        org = None
        if data.validated_data.get("organisation_id"):
            org = Organisation.objects.filter(pk=data.validated_data["organisation_id"]).first()
            if org is None:
                raise NotFound
        return Response(WishOutput(call_service(lambda: services.wish_claim(actor=request.user, wish=wish, organisation=org))).data)


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
