"""Registry API: one class per operation, Input/Output serializers, scope via selectors.

Serializers only shape data; rules live in services and the scope module.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.accounts.scope import Capability, scope_for
from linli.api.errors import service_errors
from linli.registry import selectors, services
from linli.registry.models import Gender, Registration, Relationship


def _scope(request, capability=Capability.VIEW_REGISTRY):
    scope = scope_for(request.user)
    if not scope.has(capability):
        raise PermissionDenied
    return scope


class PlaceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    code = serializers.CharField()
    address = serializers.CharField()
    depth = serializers.IntegerField()
    management_status = serializers.CharField()
    floor_area = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    use = serializers.CharField()
    grid_id = serializers.IntegerField(allow_null=True)
    community_id = serializers.IntegerField(allow_null=True)


class PlaceListApi(GenericAPIView):
    serializer_class = PlaceOutput

    @extend_schema(
        operation_id="registry_places_list",
        parameters=[OpenApiParameter("parent", int, description="children of this place; roots of the user's scope when absent")],
    )
    def get(self, request):
        scope = _scope(request)
        parent_id = request.query_params.get("parent")
        qs = selectors.place_children(scope, selectors.access_place(scope, parent_id)) if parent_id else selectors.place_roots(scope)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PlaceOutput(page, many=True).data)


class PlaceDetailApi(APIView):
    @extend_schema(responses=PlaceOutput)
    def get(self, request, pk):
        return Response(PlaceOutput(selectors.access_place(_scope(request), pk)).data)


class GridOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    community_id = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)


class GridListApi(GenericAPIView):
    serializer_class = GridOutput

    @extend_schema(operation_id="registry_grids_list")
    def get(self, request):
        page = self.paginate_queryset(selectors.grid_list(_scope(request)))
        return self.get_paginated_response(GridOutput(page, many=True).data)


class GridDetailApi(APIView):
    @extend_schema(responses=GridOutput)
    def get(self, request, pk):
        return Response(GridOutput(selectors.access_grid(_scope(request), pk)).data)


class ResidentOutput(serializers.Serializer):
    """Masked by construction: clear values only come from the audited reveal endpoint."""

    id = serializers.IntegerField()
    household_id = serializers.IntegerField()
    name = serializers.CharField()
    gender = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    id_number_masked = serializers.CharField()
    phone_masked = serializers.CharField()
    registration = serializers.CharField()
    relationship = serializers.CharField()
    address = serializers.CharField(source="household.dwelling.address")
    grid_id = serializers.IntegerField(source="household.dwelling.grid_id", allow_null=True)
    is_active = serializers.BooleanField()
    care_tags = serializers.SerializerMethodField()

    def get_care_tags(self, obj) -> list[str]:
        if not self.context.get("show_care"):
            return []
        return [t.code for t in obj.care_tags.all()]


class ResidentInput(serializers.Serializer):
    household_id = serializers.IntegerField(required=False)
    name = serializers.CharField(max_length=50, required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    registration = serializers.ChoiceField(choices=Registration.choices, required=False)
    relationship = serializers.ChoiceField(choices=Relationship.choices, required=False)
    care_tags = serializers.ListField(child=serializers.SlugField(), required=False)
    is_active = serializers.BooleanField(required=False)


def _tags(codes):
    if codes is None:
        return None
    tags = list(selectors.care_tags().filter(code__in=codes))
    if len(tags) != len(set(codes)):
        raise ValidationError({"care_tags": ["unknown care tag"]})
    return tags


class ResidentListCreateApi(GenericAPIView):
    serializer_class = ResidentOutput

    @extend_schema(
        operation_id="registry_residents_list",
        parameters=[
            OpenApiParameter("q", str, description="name, pinyin or initials, phone or its last 4 digits, ID number"),
            OpenApiParameter("grid", int),
            OpenApiParameter("tag", str),
        ],
    )
    def get(self, request):
        scope = _scope(request)
        grid = selectors.access_grid(scope, request.query_params["grid"]) if request.query_params.get("grid") else None
        qs = selectors.resident_list(
            scope, query=request.query_params.get("q", ""), grid=grid, care_tag=request.query_params.get("tag", "")
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ResidentOutput(page, many=True, context={"show_care": scope.has(Capability.VIEW_CARE)}).data)

    @extend_schema(request=ResidentInput, responses={201: ResidentOutput})
    def post(self, request):
        scope = _scope(request, Capability.EDIT_REGISTRY)
        data = ResidentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "household_id" not in values or "name" not in values:
            raise ValidationError({"household_id": ["required"], "name": ["required"]})
        household = selectors.access_household(scope, values.pop("household_id"), Capability.EDIT_REGISTRY)
        tags = _tags(values.pop("care_tags", []))
        values.pop("is_active", None)
        try:
            resident = services.resident_create(actor=request.user, household=household, care_tags=tags, **values)
        except DjangoValidationError as e:
            raise service_errors(e) from None
        return Response(ResidentOutput(resident, context={"show_care": True}).data, status=status.HTTP_201_CREATED)


class ResidentDetailApi(APIView):
    @extend_schema(responses=ResidentOutput)
    def get(self, request, pk):
        scope = _scope(request)
        resident = selectors.access_resident(scope, pk)
        return Response(ResidentOutput(resident, context={"show_care": scope.can(Capability.VIEW_CARE, resident)}).data)

    @extend_schema(request=ResidentInput, responses=ResidentOutput)
    def patch(self, request, pk):
        scope = _scope(request, Capability.EDIT_REGISTRY)
        resident = selectors.access_resident(scope, pk, Capability.EDIT_REGISTRY)
        data = ResidentInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        household = (
            selectors.access_household(scope, values.pop("household_id"), Capability.EDIT_REGISTRY) if "household_id" in values else None
        )
        tags = _tags(values.pop("care_tags", None))
        try:
            resident = services.resident_update(actor=request.user, resident=resident, household=household, care_tags=tags, **values)
        except DjangoValidationError as e:
            raise service_errors(e) from None
        return Response(ResidentOutput(resident, context={"show_care": True}).data)


class RevealInput(serializers.Serializer):
    field = serializers.ChoiceField(choices=["id_number", "phone"])


class RevealOutput(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class ResidentRevealApi(APIView):
    @extend_schema(request=RevealInput, responses=RevealOutput, description="Returns the full value and writes an audit entry.")
    def post(self, request, pk):
        scope = scope_for(request.user)
        resident = selectors.access_resident(scope, pk)
        data = RevealInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            value = services.resident_reveal(actor=request.user, resident=resident, field=data.validated_data["field"])
        except DjangoPermissionDenied:
            raise NotFound from None
        return Response({"field": data.validated_data["field"], "value": value})


class HouseholdOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    dwelling_id = serializers.IntegerField()
    address = serializers.CharField(source="dwelling.address")


class HouseholdDetailApi(APIView):
    @extend_schema(responses=HouseholdOutput)
    def get(self, request, pk):
        return Response(HouseholdOutput(selectors.access_household(_scope(request), pk)).data)


class FacilityOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    place_id = serializers.IntegerField()
    address = serializers.CharField(source="place.label")
    responsible_id = serializers.IntegerField(allow_null=True)


class FacilityListApi(GenericAPIView):
    serializer_class = FacilityOutput

    def get(self, request):
        page = self.paginate_queryset(selectors.facility_list(_scope(request)).order_by("id"))
        return self.get_paginated_response(FacilityOutput(page, many=True).data)


class OrganisationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    place_id = serializers.IntegerField()
    served_compound_ids = serializers.SerializerMethodField()

    def get_served_compound_ids(self, obj) -> list[int]:
        return [c.pk for c in obj.served_compounds.all()]


class OrganisationListApi(GenericAPIView):
    serializer_class = OrganisationOutput

    def get(self, request):
        page = self.paginate_queryset(selectors.organisation_list(_scope(request)).order_by("id"))
        return self.get_paginated_response(OrganisationOutput(page, many=True).data)
