from django.urls import re_path

from linli.appeals import open311

F = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(r"^discovery" + F, open311.discovery, name="open311-discovery"),
    re_path(r"^services" + F, open311.service_list, name="open311-services"),
    re_path(r"^services/(?P<code>[-\w]+)" + F, open311.service_definition, name="open311-service"),
    re_path(r"^requests" + F, open311.request_list, name="open311-requests"),
    re_path(r"^requests/(?P<number>[-\w]+)" + F, open311.request_detail, name="open311-request"),
    re_path(r"^tokens/(?P<token_id>[-\w]+)" + F, open311.token, name="open311-token"),
]
