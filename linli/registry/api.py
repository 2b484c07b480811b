"""Registry API: one class per operation, Input/Output serializers, scope via selectors.

Serializers only shape data; rules live in services and the scope module.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.accounts.scope import scope_for
from linli.core.errors import Throttled, call_service, int_param
from linli.registry import access, selectors, services
from linli.registry.models import Gender, Registration, Relationship, Resident


def _scope(request, capability=access.VIEW_REGISTRY):
    scope = scope_for(request.user)
    if not scope.has(capability):
        raise NotFound
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
        responses=PlaceOutput(many=True),
        parameters=[OpenApiParameter("parent", int, description="children of this place; roots of the user's scope when absent")],
    )
    def get(self, request):
        scope = _scope(request)
        parent_id = int_param(request, "parent")
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

    @extend_schema(operation_id="registry_grids_list", responses=GridOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.grid_list(_scope(request)))
        return self.get_paginated_response(GridOutput(page, many=True).data)


class GridDetailApi(APIView):
    @extend_schema(responses=GridOutput)
    def get(self, request, pk):
        return Response(GridOutput(selectors.access_grid(_scope(request), pk)).data)


class ResidentOutput(serializers.Serializer):
    """Masked by construction: clear values only come from the audited reveal endpoint. The
    age band stands in for the birth date, which is exactly what the ID mask hides."""

    id = serializers.IntegerField()
    household_id = serializers.IntegerField()
    name = serializers.CharField()
    gender = serializers.CharField()
    age_band = serializers.CharField()
    id_number_masked = serializers.CharField()
    phone_masked = serializers.CharField()
    registration = serializers.CharField()
    relationship = serializers.CharField()
    address = serializers.CharField(source="household.dwelling.address")
    grid_id = serializers.IntegerField(source="household.dwelling.grid_id", allow_null=True)
    is_active = serializers.BooleanField()
    care_tags = serializers.SerializerMethodField()

    def get_care_tags(self, obj) -> list[str]:
        # Decided per row (access.resident_rows / can_see_care), never per request.
        may = getattr(obj, "may_see_care", None)
        if may is None:
            may = access.can_see_care(self.context["scope"], obj)
        return [t.code for t in obj.care_tags.all() if may or not t.sensitive]


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
        responses=ResidentOutput(many=True),
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description="name, pinyin or initials, phone or its last 4 digits, ID number. "
                "A whole phone or ID number is audited and limited per user and hour (429 beyond).",
            ),
            OpenApiParameter("grid", int),
            OpenApiParameter("tag", str),
        ],
    )
    def get(self, request):
        scope = _scope(request)
        grid_id = int_param(request, "grid")
        grid = selectors.access_grid(scope, grid_id) if grid_id else None
        query = request.query_params.get("q", "")
        qs = selectors.resident_list(scope, query=query, grid=grid, care_tag=request.query_params.get("tag", ""))
        kind = selectors.full_number_kind(query)
        if kind:
            try:
                services.resident_search_record(actor=request.user, kind=kind, results=qs.count())
            except services.SearchThrottled as e:
                raise Throttled(detail=str(e.args[0])) from None
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ResidentOutput(page, many=True, context={"scope": scope}).data)

    @extend_schema(request=ResidentInput, responses={201: ResidentOutput})
    def post(self, request):
        scope = _scope(request, access.EDIT_REGISTRY)
        data = ResidentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "household_id" not in values or "name" not in values:
            raise ValidationError({"household_id": ["required"], "name": ["required"]})
        household = selectors.access_household(scope, values.pop("household_id"), access.EDIT_REGISTRY)
        tags = _tags(values.pop("care_tags", []))
        values.pop("is_active", None)
        resident = call_service(lambda: services.resident_create(actor=request.user, household=household, care_tags=tags, **values))
        return Response(ResidentOutput(resident, context={"scope": scope}).data, status=status.HTTP_201_CREATED)


class ResidentDetailApi(APIView):
    @extend_schema(responses=ResidentOutput)
    def get(self, request, pk):
        """A registry role's resident in reach, or a resident's own household member — as the
        page answers (one 404 for missing and forbidden)."""
        scope = scope_for(request.user)
        if not (scope.has(access.VIEW_REGISTRY) or scope.has(access.VIEW_OWN)):
            raise NotFound
        resident = selectors.access_own_or_registry(scope, Resident, pk)
        return Response(ResidentOutput(resident, context={"scope": scope}).data)

    @extend_schema(request=ResidentInput, responses=ResidentOutput)
    def patch(self, request, pk):
        scope = _scope(request, access.EDIT_REGISTRY)
        resident = selectors.access_resident(scope, pk, access.EDIT_REGISTRY)
        data = ResidentInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        household = (
            selectors.access_household(scope, values.pop("household_id"), access.EDIT_REGISTRY) if "household_id" in values else None
        )
        tags = _tags(values.pop("care_tags", None))
        resident = call_service(
            lambda: services.resident_update(actor=request.user, resident=resident, household=household, care_tags=tags, **values)
        )
        return Response(ResidentOutput(resident, context={"scope": scope}).data)


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
        # The right first: one who may reveal nothing of this resident gets the 404 of a missing one.
        if not any(access.can_reveal(scope, resident, f) for f in access.REVEAL):
            raise NotFound
        data = RevealInput(data=request.data)
        data.is_valid(raise_exception=True)
        value = call_service(lambda: services.resident_reveal(actor=request.user, resident=resident, field=data.validated_data["field"]))
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

    @extend_schema(operation_id="registry_facilities_list", responses=FacilityOutput(many=True))
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

    @extend_schema(operation_id="registry_organisations_list", responses=OrganisationOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.organisation_list(_scope(request)).order_by("id"))
        return self.get_paginated_response(OrganisationOutput(page, many=True).data)
