"""Agency cases (全程代办)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.core.errors import query_params as _param
from linli.resident_services import access, forms, selectors, services
from linli.resident_services.models import AgencyCase
from linli.resident_services.services import MATTERS


def _rerender(view, request, *args, **kw):
    return lambda: view(request, *args, **kw)


# ---- agency cases -------------------------------------------------------------------------------------------


@login_required
def case_new(request):
    """受理代办 for a resident (?resident=, from the resident's page, a visit or an order)."""
    scope = scope_for(request.user)
    params = _param(forms.OrderParams, request)
    residents = access.case_residents(scope).filter(pk=params["resident"] or 0).select_related("household__dwelling")
    resident = residents.first()
    if resident is None:
        raise Http404
    form = forms.CaseForm(request.POST or None, residents=residents, initial={"resident": resident.pk})

    def page():
        return render(request, "services/case_new.html", {"form": form, "matters": MATTERS, "resident": resident})

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.case_open(actor=request.user, **d),
        success_url=lambda c: reverse("services:case", args=[c.pk]),
        rerender=page,
        ok=_("已受理，办理环节和材料清单已按事项生成。"),
    )


def _access_case(request, pk) -> AgencyCase:
    case = AgencyCase.objects.select_related("community", "resident__household__dwelling", "agent", "opened_by").filter(pk=pk).first()
    if case is None or not access.can_view_case(scope_for(request.user), request.user, case):
        raise Http404
    return case


def _case_page(request, case, status=200):
    scope = scope_for(request.user)
    return render(
        request,
        "services/case.html",
        {
            "case": case,
            "carry": access.can_carry(scope, request.user, case),
            "step_form": forms.StepAddForm(),
            **selectors.case_detail(case),
        },
        status=status,
    )


@login_required
def case(request, pk):
    return _case_page(request, _access_case(request, pk))


CASE_ACTIONS = {
    "step_done": (
        lambda r, c: forms.StepDoneForm(r.POST, steps=c.steps.all()),
        lambda r, c, d: services.case_step_done(actor=r.user, case=c, step=d["step"], note=d["note"]),
    ),
    "step_add": (lambda r, c: forms.StepAddForm(r.POST), lambda r, c, d: services.case_step_add(actor=r.user, case=c, **d)),
    "receive": (
        lambda r, c: forms.DocumentForm(r.POST, documents=c.documents.all()),
        lambda r, c, d: services.case_document(actor=r.user, case=c, document=d["document"], action="receive"),
    ),
    "return": (
        lambda r, c: forms.DocumentForm(r.POST, documents=c.documents.all()),
        lambda r, c, d: services.case_document(actor=r.user, case=c, document=d["document"], action="return"),
    ),
    "close": (lambda r, c: forms.CloseForm(r.POST), lambda r, c, d: services.case_close(actor=r.user, case=c, outcome=d["outcome"])),
    "cancel": (
        lambda r, c: forms.CloseForm(r.POST),
        lambda r, c, d: services.case_close(actor=r.user, case=c, outcome=d["outcome"], cancelled=True),
    ),
}


@login_required
@require_POST
def case_act(request, pk, action):
    if action not in CASE_ACTIONS:
        raise Http404
    c = _access_case(request, pk)
    make_form, call = CASE_ACTIONS[action]
    return post_action(
        request,
        form=make_form(request, c),
        call=lambda d: call(request, c, d),
        success_url=reverse("services:case", args=[c.pk]),
        rerender=lambda: _case_page(request, c),
        ok=_("已登记。"),
    )
