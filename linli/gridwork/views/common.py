"""What the grid-work views share."""

from django.http import Http404

from linli.gridwork.models import Patrol, Visit


def _get(qs, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def _source(request):
    """The patrol or visit a finding comes from (one's own)."""
    patrol = visit = None
    if request.GET.get("patrol"):
        patrol = _get(Patrol.objects.filter(worker=request.user).select_related("compound"), request.GET["patrol"])
    if request.GET.get("visit"):
        visit = _get(Visit.objects.filter(worker=request.user).select_related("household__dwelling"), request.GET["visit"])
    return patrol, visit
