from django.core.management.base import BaseCommand, CommandError

from linli.appeals.open311 import issue_key
from linli.registry.models import Place, PlaceKind


class Command(BaseCommand):
    help = "Issue an Open311 API key for a community (the key is printed once)."

    def add_arguments(self, parser):
        parser.add_argument("--community", required=True, help="community code (12 digits)")
        parser.add_argument("--name", required=True, help="who the key is for")

    def handle(self, *args, community, name, **options):
        place = Place.objects.filter(kind=PlaceKind.COMMUNITY, code=community).first()
        if place is None:
            raise CommandError(f"no community with code {community}")
        key, clear = issue_key(name=name, community=place)
        self.stdout.write(f"key for {key.name} ({place.name}): {clear}")
