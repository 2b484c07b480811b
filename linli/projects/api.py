"""Projects API: the public project (items, money, acceptance) and a signer's decision."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.core.errors import call_service
from linli.projects import selectors, services
from linli.projects.models import Item, Signoff

NOT_FOUND = OpenApiResponse(description="not found, or not yours to decide (the same answer)")
MAX_ID = 2**63 - 1


class ItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=True)
    unit = serializers.CharField()
    done = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=True)
    status = serializers.CharField()


class SignoffOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    decision = serializers.CharField()
    reasons = serializers.CharField()


class MoneyOutput(serializers.Serializer):
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    pledged = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    received = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)


class ProjectOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    origin = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    items = ItemOutput(many=True)
    money = MoneyOutput()
    signoffs = SignoffOutput(many=True)


class ProjectApi(APIView):
    @extend_schema(responses={200: ProjectOutput, 404: NOT_FOUND}, operation_id="projects_read")
    def get(self, request, pk):
        try:
            project = selectors.project_or_404(pk)
        except Http404:
            raise NotFound from None
        data = selectors.page(project)
        return Response(
            ProjectOutput(
                {
                    "id": project.pk,
                    "title": project.title,
                    "status": project.status,
                    "origin": project.origin,
                    "due_on": project.due_on,
                    **data,
                }
            ).data
        )


class DecideInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["signed", "refused"])
    reasons = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    refused_item_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list, max_length=200
    )


class SignoffDecideApi(APIView):
    @extend_schema(request=DecideInput, responses={200: SignoffOutput, 404: NOT_FOUND}, operation_id="projects_signoff_decide")
    def post(self, request, pk):
        signoff = Signoff.objects.select_related("project__community").filter(pk=pk).first()
        if signoff is None:
            raise NotFound
        data = DecideInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        items = list(Item.objects.filter(project_id=signoff.project_id, pk__in=v["refused_item_ids"]))
        result = call_service(
            lambda: services.signoff_decide(
                actor=request.user, signoff=signoff, decision=v["decision"], reasons=v["reasons"], refused_items=items
            )
        )
        return Response(SignoffOutput(result).data)
