import json

from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def insert(request):
    body = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO floor_row (body, created_at) VALUES (%s, now()) RETURNING id", [body["description"]])
        (pk,) = cursor.fetchone()
    return JsonResponse({"id": pk}, status=201)


def select(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, body, created_at FROM floor_row WHERE id = %s", [int(request.GET.get("id", 1))])
        row = cursor.fetchone()
    return JsonResponse({"id": row[0], "body": row[1], "created_at": row[2].isoformat()})


urlpatterns = [path("insert/", insert), path("select/", select)]
