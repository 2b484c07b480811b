"""Mediation API: the cases a mediator or overseer may see. Refused and missing answer the
same 404; nothing here is listed for anyone outside the case's list."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.accounts.scope import scope_for
from linli.mediation import selectors

NOT_FOUND = OpenApiResponse(description="not found, or not yours to see (the same answer)")


class CaseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    summary = serializers.CharField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    holds = serializers.BooleanField(allow_null=True)


class CasesApi(APIView):
    @extend_schema(responses={200: CaseOutput(many=True)}, operation_id="mediation_cases")
    def get(self, request):
        return Response(CaseOutput(selectors.case_list(scope_for(request.user), request.user)[:100], many=True).data)


class CaseApi(APIView):
    @extend_schema(responses={200: CaseOutput, 404: NOT_FOUND}, operation_id="mediation_case")
    def get(self, request, pk):
        try:
            case = selectors.access_case(scope_for(request.user), request.user, pk)
        except Http404:
            raise NotFound from None
        return Response(CaseOutput(case).data)
