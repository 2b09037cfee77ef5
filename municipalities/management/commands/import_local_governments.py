from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from municipalities.services import NATIONAL_CSV, local_governments_import


class Command(BaseCommand):
    help = "Import or update all 47 prefectures and 1,741 municipalities (JIS X 0402). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(NATIONAL_CSV), help="CSV file (default: bundled list)")

    def handle(self, *args, path, **options):
        try:
            result = local_governments_import(path=Path(path))
        except ValidationError as error:
            raise CommandError("Nothing imported: " + "; ".join(error.messages)) from error
        except (OSError, KeyError) as error:
            raise CommandError(f"Nothing imported: cannot read {path}: {error}") from error
        self.stdout.write(
            f"local governments: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        )
