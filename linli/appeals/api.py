"""Appeals API: one class per operation with Input/Output serializers. Every read goes through
the scope (selectors), every change through a service; serializers only shape data."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.accounts.scope import scope_for
from linli.appeals import access, selectors, services
from linli.appeals.models import Channel, Level, Status
from linli.core.errors import call_service, int_param
from linli.core.serializers import IdField
from linli.registry.models import Place


class EventOutput(serializers.Serializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True)


class AppealOutput(serializers.Serializer):
    """A neighbour who added their voice sees the public fields; description, dwelling and the
    masked phone are for the reporter, the handlers and those in reach (``viewer_full``)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    level = serializers.CharField()
    category = serializers.CharField(source="category.code", allow_null=True, default=None)
    title = serializers.CharField()
    description = serializers.SerializerMethodField()
    channel = serializers.CharField()
    place_id = serializers.SerializerMethodField()
    place = serializers.CharField(source="public_place")
    grid_id = serializers.IntegerField(allow_null=True)
    contact_phone_masked = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    sign_deadline = serializers.DateTimeField(allow_null=True)
    complete_deadline = serializers.DateTimeField(allow_null=True)
    result = serializers.CharField()
    rating = serializers.IntegerField(allow_null=True)
    merged_into = serializers.CharField(source="merged_into.number", allow_null=True, default=None)

    def _full(self, obj) -> bool:
        full = getattr(obj, "viewer_full", None)
        return self.context.get("full", False) if full is None else full

    def get_description(self, obj) -> str:
        return obj.description if self._full(obj) else ""

    def get_place_id(self, obj) -> int | None:
        return obj.place_id if self._full(obj) else None

    def get_contact_phone_masked(self, obj) -> str:
        return obj.contact_phone_masked if self._full(obj) else ""

    # What a list row reads: the staff list fetches these columns only (not the encrypted phone,
    # not the grid or place rows beyond what ``public_place`` needs).
    ROW_FIELDS = (
        *("id", "number", "status", "level", "category__code", "title", "description", "channel", "place_id"),
        *("place__address", "place__name", "place__kind", "grid_id", "contact_phone_masked", "created_at"),
        *("sign_deadline", "complete_deadline", "result", "rating", "merged_into__number"),
    )

    def to_representation(self, obj) -> dict:
        # A page of 50 rows through DRF's per-field machinery cost the staff list more than its
        # SQL did. The fields above still declare the schema; test_api_rows_read_as_declared holds
        # this to them (the same output as the generic path, field for field).
        full = self._full(obj)
        when = self.fields["created_at"].to_representation
        return {
            "id": obj.id,
            "number": str(obj.number),
            "status": str(obj.status),
            "level": str(obj.level),
            "category": obj.category.code if obj.category_id is not None else None,
            "title": str(obj.title),
            "description": obj.description if full else "",
            "channel": str(obj.channel),
            "place_id": obj.place_id if full else None,
            "place": str(obj.public_place),
            "grid_id": obj.grid_id,
            "contact_phone_masked": obj.contact_phone_masked if full else "",
            "created_at": when(obj.created_at),
            "sign_deadline": when(obj.sign_deadline) if obj.sign_deadline is not None else None,
            "complete_deadline": when(obj.complete_deadline) if obj.complete_deadline is not None else None,
            "result": str(obj.result),
            "rating": obj.rating,
            "merged_into": obj.merged_into.number if obj.merged_into_id is not None else None,
        }


class AppealDetailOutput(AppealOutput):
    timeline = serializers.SerializerMethodField()

    def to_representation(self, obj) -> dict:
        return {**super().to_representation(obj), "timeline": self.get_timeline(obj)}

    def get_timeline(self, obj) -> list[dict]:
        events = selectors.appeal_timeline(obj, public_only=self.context.get("public_only", True))
        return EventOutput([{**e.__dict__, "actor": str(e.actor) if e.actor else None} for e in events], many=True).data


class AppealSubmitInput(serializers.Serializer):
    place_id = IdField()
    description = serializers.CharField(max_length=2000)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    category = serializers.SlugField(required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    reporter_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=[c for c in Channel.values if c != Channel.OPEN311], default=Channel.API)


class AppealListParams(serializers.Serializer):
    status = serializers.ChoiceField(choices=["open", *Status.values], required=False, default="")
    level = serializers.ChoiceField(choices=Level.values, required=False, default="")
    overdue = serializers.BooleanField(required=False, default=False)
    q = serializers.CharField(required=False, default="", allow_blank=True, max_length=100)


class AppealListCreateApi(GenericAPIView):
    serializer_class = AppealOutput

    @extend_schema(
        operation_id="appeals_list",
        responses=AppealOutput(many=True),
        parameters=[
            OpenApiParameter("status", str, enum=["open", *Status.values]),
            OpenApiParameter("level", str, enum=Level.values),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("q", str),
        ],
    )
    def get(self, request):
        params = AppealListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        v = params.validated_data
        scope = scope_for(request.user)
        qs = selectors.appeal_list(scope, status=v["status"], level=v["level"], overdue=v["overdue"], query=v["q"])
        # The list shows the masked phone: the encrypted one is not read (nor decrypted) per row.
        rows = qs.select_related(None).select_related("place", "category", "merged_into").only(*AppealOutput.ROW_FIELDS)
        page = self.paginate_queryset(access.appeal_rows(scope, rows))
        return self.get_paginated_response(AppealOutput(page, many=True).data)

    @extend_schema(
        request=AppealSubmitInput,
        responses={201: AppealOutput, 200: AppealOutput},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="1–64 visible ASCII characters; a retry by the same user with the same key returns the same appeal",
            )
        ],
    )
    def post(self, request):
        data = AppealSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        place = Place.objects.filter(pk=v["place_id"], kind__in=access.REPORTABLE_KINDS).first()
        if place is None:
            raise ValidationError({"place_id": ["unknown place"]})
        category = None
        if v["category"]:
            category = selectors.categories_for(place.community_id).filter(code=v["category"]).first()
            if category is None:
                raise ValidationError({"category": ["unknown category"]})
        appeal, created = call_service(
            lambda: services.appeal_submit(
                actor=request.user,
                place=place,
                title=v["title"],
                description=v["description"],
                channel=v["channel"],
                category=category,
                contact_phone=v["contact_phone"],
                reporter_name=v["reporter_name"],
                idempotency_key=request.headers.get("Idempotency-Key") or None,
            )
        )
        return Response(
            AppealOutput(appeal, context={"full": True}).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class AppealDetailApi(APIView):
    @extend_schema(responses=AppealDetailOutput)
    def get(self, request, pk):
        scope = scope_for(request.user)
        appeal = selectors.access_appeal(scope, pk)
        context = {"public_only": not access.sees_internal(scope, appeal), "full": access.sees_full(scope, appeal)}
        return Response(AppealDetailOutput(appeal, context=context).data)


class _ActionApi(APIView):
    """Base of the per-action classes below: fetch in scope, call the one service."""

    action: str
    Input: type[serializers.Serializer]

    def post(self, request, pk):
        scope = scope_for(request.user)
        appeal = selectors.access_appeal(scope, pk)
        # The right first (the same predicate the page asks): a refused caller learns nothing
        # from input validation, and gets the same 404 as for a missing appeal.
        if not access.can(scope, self.action.replace("-", "_"), appeal):
            raise NotFound
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        result = call_service(lambda: self.perform(request.user, appeal, data.validated_data))
        return Response(AppealOutput(result, context={"full": access.sees_full(scope, result)}).data)


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField()


class DispatchInput(serializers.Serializer):
    user_ids = serializers.ListField(child=IdField(), required=False, default=list, max_length=50)
    organisation_ids = serializers.ListField(child=IdField(), required=False, default=list, max_length=50)
    lead = serializers.CharField(required=False, allow_blank=True, default="", help_text="u<id> or o<id>; the first handler when empty")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ResolveInput(serializers.Serializer):
    result = serializers.CharField()


class RateInput(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class LevelInput(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    reason = serializers.CharField()


class MergeInput(serializers.Serializer):
    into = serializers.CharField(max_length=24, help_text="number of the appeal to merge into")


class ExtendInput(serializers.Serializer):
    working_days = serializers.IntegerField(min_value=1, max_value=30)
    reason = serializers.CharField()


def _dispatch(user, appeal, v):
    """Handlers by id, from the same eligible set the web form offers (access.eligible_handlers);
    the service refuses anyone else as well."""
    choices = access.eligible_handlers(appeal)
    users = [u for u, _label in choices.users if u.pk in set(v["user_ids"])]
    orgs = [o for o in choices.organisations if o.pk in set(v["organisation_ids"])]
    if len(users) != len(set(v["user_ids"])) or len(orgs) != len(set(v["organisation_ids"])):
        raise DjangoValidationError({"handlers": ["not an eligible handler of this appeal"]})
    lead = next((u for u in users if f"u{u.pk}" == v["lead"]), None) or next((o for o in orgs if f"o{o.pk}" == v["lead"]), None)
    return services.appeal_dispatch(actor=user, appeal=appeal, users=users, organisations=orgs, lead=lead, note=v["note"])


def _merge(user, appeal, v):
    target = selectors.merge_target(scope_for(user), v["into"])
    if target is None:
        raise DjangoValidationError({"into": ["unknown appeal"]})
    return services.appeal_merge(actor=user, appeal=appeal, into=target)


ACTIONS = {
    "accept": (NoteInput, lambda u, a, v: services.appeal_accept(actor=u, appeal=a, note=v["note"])),
    "reject": (ReasonInput, lambda u, a, v: services.appeal_reject(actor=u, appeal=a, reason=v["reason"])),
    "dispatch": (DispatchInput, _dispatch),
    "sign": (NoteInput, lambda u, a, v: services.appeal_sign(actor=u, appeal=a)),
    "return": (ReasonInput, lambda u, a, v: services.appeal_return(actor=u, appeal=a, reason=v["reason"])),
    "escalate": (ReasonInput, lambda u, a, v: services.appeal_escalate(actor=u, appeal=a, reason=v["reason"])),
    "set-level": (LevelInput, lambda u, a, v: services.appeal_set_level(actor=u, appeal=a, level=v["level"], reason=v["reason"])),
    "resolve": (ResolveInput, lambda u, a, v: services.appeal_resolve(actor=u, appeal=a, result=v["result"])),
    "rate": (RateInput, lambda u, a, v: services.appeal_rate(actor=u, appeal=a, rating=v["rating"], comment=v["comment"])),
    "reopen": (ReasonInput, lambda u, a, v: services.appeal_reopen(actor=u, appeal=a, reason=v["reason"])),
    "merge": (MergeInput, _merge),
    "extend": (ExtendInput, lambda u, a, v: services.appeal_extend(actor=u, appeal=a, working_days=v["working_days"], reason=v["reason"])),
    "supervise": (NoteInput, lambda u, a, v: services.appeal_supervise(actor=u, appeal=a, note=v["note"])),
    "callback": (ReasonInput, lambda u, a, v: services.appeal_callback(actor=u, appeal=a, note=v["reason"])),
}


def _action_class(name: str, input_cls, fn) -> type[_ActionApi]:
    cls_name = "Appeal" + "".join(p.capitalize() for p in name.split("-")) + "Api"

    def post(self, request, pk):  # a function per class, so each gets its own schema
        return _ActionApi.post(self, request, pk)

    post = extend_schema(request=input_cls, responses=AppealOutput, operation_id=f"appeal_{name.replace('-', '_')}")(post)
    return type(cls_name, (_ActionApi,), {"action": name, "Input": input_cls, "perform": staticmethod(fn), "post": post})


ACTION_APIS = {name: _action_class(name, i, fn) for name, (i, fn) in ACTIONS.items()}


class CategoryOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    default_level = serializers.CharField()
    sign_days = serializers.IntegerField()
    complete_days = serializers.IntegerField()


class CategoryListApi(APIView):
    @extend_schema(
        responses=CategoryOutput(many=True),
        parameters=[OpenApiParameter("community", int, description="the community's own categories besides the default set")],
    )
    def get(self, request):
        return Response(CategoryOutput(selectors.categories_for(int_param(request, "community")), many=True).data)
