"""Queue a retraining of each community's classifier on its confirmed appeals (run nightly)."""

from django.core.management.base import BaseCommand

from linli.appeals.tasks import retrain_classifier
from linli.registry.models import Place, PlaceKind


class Command(BaseCommand):
    help = "Enqueue classifier retraining for every community (run by the task worker)."

    def handle(self, *args, **options):
        for community_id in Place.objects.filter(kind=PlaceKind.COMMUNITY).values_list("pk", flat=True):
            retrain_classifier.enqueue(community_id)
        self.stdout.write("queued")
