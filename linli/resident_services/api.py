"""Services API: one class per operation, services do the work, access decides who may. Refused
and missing answer the same 404."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.accounts.scope import scope_for
from linli.core.errors import call_service
from linli.registry.models import Resident
from linli.registry.vocabulary import own_resident
from linli.resident_services import access, selectors, services
from linli.resident_services.models import Meal, Order, OrderStatus, Provider, Room, Service, Slot

NOT_FOUND = OpenApiResponse(description="not found, or not yours to see (the same answer)")
MAX_ID = 2**63 - 1


def _id(**kw):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kw)


class ServiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    category = serializers.CharField()
    description = serializers.CharField()
    price = serializers.DecimalField(max_digits=8, decimal_places=2)
    price_note = serializers.CharField()
    eligibility = serializers.CharField()


class OrderOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    service = serializers.CharField(source="service.name")
    status = serializers.CharField()
    description = serializers.CharField()
    provider = serializers.CharField(source="provider.name", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    match_due = serializers.DateTimeField(allow_null=True)
    deliver_due = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    rating = serializers.IntegerField(allow_null=True)


class MealOutput(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    kind = serializers.CharField()
    dishes = serializers.CharField()
    price = serializers.DecimalField(max_digits=6, decimal_places=2)
    places_left = serializers.IntegerField()
    cutoff_at = serializers.DateTimeField()


class MealOrderOutput(serializers.Serializer):
    id = serializers.IntegerField()
    meal_id = serializers.IntegerField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=6, decimal_places=2)
    discount_reason = serializers.CharField()
    delivery = serializers.BooleanField()
    status = serializers.CharField()


class RoomOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    seats = serializers.IntegerField()
    opens_at = serializers.CharField(help_text="local time HH:MM:SS (Asia/Shanghai)")
    closes_at = serializers.CharField(help_text="local time HH:MM:SS (Asia/Shanghai)")
    needs_approval = serializers.BooleanField()


class BookingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    room_id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    purpose = serializers.CharField()
    status = serializers.CharField()


def _my_community(request):
    community = access.service_community(scope_for(request.user), request.user)
    if community is None:
        raise NotFound
    return community


class CatalogueApi(APIView):
    @extend_schema(responses={200: ServiceOutput(many=True), 404: NOT_FOUND}, operation_id="services_catalogue")
    def get(self, request):
        resident = own_resident(request.user)
        if resident is None:
            raise NotFound
        return Response(ServiceOutput(selectors.services_for(_my_community(request), resident), many=True).data)


class OrderInput(serializers.Serializer):
    service_id = _id()
    resident_id = _id(required=False, help_text="default: yourself")
    description = serializers.CharField(max_length=1000)
    wanted_on = serializers.DateField(required=False, allow_null=True, default=None)
    wanted_slot = serializers.ChoiceField(choices=Slot.choices, default=Slot.ANY)
    idempotency_key = serializers.RegexField(r"^[\x21-\x7e]{1,64}$", required=False, help_text="a repeat returns the first order")


class OrdersApi(APIView):
    @extend_schema(
        responses={200: OrderOutput(many=True)},
        parameters=[OpenApiParameter("status", str, enum=OrderStatus.values, required=False)],
        operation_id="services_orders",
    )
    def get(self, request):
        qs = access.visible_orders(scope_for(request.user), request.user).select_related("service", "provider")
        if "status" in request.query_params:
            wanted = request.query_params["status"]
            if wanted not in OrderStatus.values:
                raise ValidationError({"status": [_("无效的选项。")]})
            qs = qs.filter(status=wanted)
        return Response(OrderOutput(qs.order_by("-created_at", "-id")[:100], many=True).data)

    @extend_schema(request=OrderInput, responses={201: OrderOutput, 200: OrderOutput, 404: NOT_FOUND}, operation_id="services_order_create")
    def post(self, request):
        data = OrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        service = Service.objects.filter(pk=v["service_id"]).first()
        if "resident_id" in v:
            resident = Resident.objects.select_related("household__dwelling").filter(pk=v["resident_id"]).first()
        else:
            resident = own_resident(request.user)
        if service is None or resident is None:
            raise NotFound
        order, created = call_service(
            lambda: services.order_create(
                actor=request.user,
                service=service,
                resident=resident,
                description=v["description"],
                wanted_on=v["wanted_on"],
                wanted_slot=v["wanted_slot"],
                idempotency_key=v.get("idempotency_key"),
            )
        )
        return Response(OrderOutput(order).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _order(request, pk) -> Order:
    order = Order.objects.select_related("service", "provider", "resident__household", "community").filter(pk=pk).first()
    if order is None or not access.can_view_order(scope_for(request.user), request.user, order):
        raise NotFound
    return order


class OrderApi(APIView):
    @extend_schema(responses={200: OrderOutput, 404: NOT_FOUND}, operation_id="services_order")
    def get(self, request, pk):
        return Response(OrderOutput(_order(request, pk)).data)


class OrderAnswerInput(serializers.Serializer):
    provider_id = _id(required=False, help_text="default: the one provider you answer for")
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


def _provider(request, v) -> Provider:
    mine = access.providers_of(scope_for(request.user), request.user)
    provider = mine.filter(pk=v["provider_id"]).first() if "provider_id" in v else (mine.first() if mine.count() == 1 else None)
    if provider is None:
        raise NotFound
    return provider


class OrderAcceptApi(APIView):
    @extend_schema(request=OrderAnswerInput, responses={200: OrderOutput, 404: NOT_FOUND}, operation_id="services_order_accept")
    def post(self, request, pk):
        order = _order(request, pk)
        data = OrderAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        provider = _provider(request, data.validated_data)
        return Response(OrderOutput(call_service(lambda: services.order_accept(actor=request.user, order=order, provider=provider))).data)


class OrderDeclineApi(APIView):
    @extend_schema(request=OrderAnswerInput, responses={200: OrderOutput, 404: NOT_FOUND}, operation_id="services_order_decline")
    def post(self, request, pk):
        order = _order(request, pk)
        data = OrderAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        provider = _provider(request, data.validated_data)
        reason = data.validated_data["reason"]
        return Response(
            OrderOutput(
                call_service(lambda: services.order_decline(actor=request.user, order=order, provider=provider, reason=reason))
            ).data
        )


class OrderDeliverInput(serializers.Serializer):
    note = serializers.CharField(max_length=1000)
    photos = serializers.ListField(child=serializers.ImageField(), required=False, default=list, max_length=6)


class OrderDeliverApi(APIView):
    # Photos come from the phone's camera as a multipart form.
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": OrderDeliverInput},
        responses={200: OrderOutput, 404: NOT_FOUND},
        operation_id="services_order_deliver",
    )
    def post(self, request, pk):
        order = _order(request, pk)
        data = OrderDeliverInput(data={"note": request.data.get("note"), "photos": request.FILES.getlist("photos")})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        return Response(
            OrderOutput(
                call_service(lambda: services.order_deliver(actor=request.user, order=order, note=v["note"], photos=v["photos"]))
            ).data
        )


class OrderConfirmInput(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class OrderConfirmApi(APIView):
    @extend_schema(request=OrderConfirmInput, responses={200: OrderOutput, 404: NOT_FOUND}, operation_id="services_order_confirm")
    def post(self, request, pk):
        order = _order(request, pk)
        data = OrderConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        return Response(
            OrderOutput(
                call_service(lambda: services.order_confirm(actor=request.user, order=order, rating=v["rating"], comment=v["comment"]))
            ).data
        )


class OrderCancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class OrderCancelApi(APIView):
    @extend_schema(request=OrderCancelInput, responses={200: OrderOutput, 404: NOT_FOUND}, operation_id="services_order_cancel")
    def post(self, request, pk):
        order = _order(request, pk)
        data = OrderCancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data["reason"]
        return Response(OrderOutput(call_service(lambda: services.order_cancel(actor=request.user, order=order, reason=reason))).data)


class MealListApi(APIView):
    @extend_schema(responses={200: MealOutput(many=True), 404: NOT_FOUND}, operation_id="services_meals")
    def get(self, request):
        from django.utils import timezone

        canteen = selectors.canteen_of(_my_community(request))
        if canteen is None:
            raise NotFound
        return Response(MealOutput(selectors.week_meals(canteen, timezone.localdate()), many=True).data)


class MealOrderInput(serializers.Serializer):
    resident_id = _id(required=False, help_text="default: yourself")
    quantity = serializers.IntegerField(min_value=1, max_value=5, default=1)
    delivery = serializers.BooleanField(default=False)


class MealOrderApi(APIView):
    @extend_schema(
        request=MealOrderInput, responses={201: MealOrderOutput, 200: MealOrderOutput, 404: NOT_FOUND}, operation_id="services_meal_order"
    )
    def post(self, request, pk):
        meal = Meal.objects.filter(pk=pk).first()
        data = MealOrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if "resident_id" in v:
            resident = Resident.objects.select_related("household__dwelling").filter(pk=v["resident_id"]).first()
        else:
            resident = own_resident(request.user)
        if meal is None or resident is None:
            raise NotFound
        order, created = call_service(
            lambda: services.meal_order(actor=request.user, meal=meal, resident=resident, quantity=v["quantity"], delivery=v["delivery"])
        )
        return Response(MealOrderOutput(order).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class RoomListApi(APIView):
    @extend_schema(responses={200: RoomOutput(many=True), 404: NOT_FOUND}, operation_id="services_rooms")
    def get(self, request):
        return Response(RoomOutput(selectors.rooms(_my_community(request)).filter(active=True), many=True).data)


class RoomBookInput(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    purpose = serializers.CharField(max_length=100)
    attendees = serializers.IntegerField(min_value=1, max_value=2000, default=1)


class RoomBookApi(APIView):
    @extend_schema(request=RoomBookInput, responses={201: BookingOutput, 404: NOT_FOUND}, operation_id="services_room_book")
    def post(self, request, pk):
        room = Room.objects.select_related("community").filter(pk=pk).first()
        if room is None or not access.can_book(scope_for(request.user), request.user, room):
            raise NotFound
        data = RoomBookInput(data=request.data)
        data.is_valid(raise_exception=True)
        booking = call_service(lambda: services.room_book(actor=request.user, room=room, **data.validated_data))
        return Response(BookingOutput(booking).data, status=status.HTTP_201_CREATED)
