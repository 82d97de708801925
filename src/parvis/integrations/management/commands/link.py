import json
import sys

from django.core.management.base import BaseCommand, CommandError

from parvis.integrations import linkage


class Command(BaseCommand):
    help = (
        "Link two files of persons (columns id, first_name, last_name, birth_name, birth_date, "
        "birth_place, address, postcode, city, email, phone; optional nir) and write "
        "left_id,right_id,probability for every pair linked automatically."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("left")
        parser.add_argument("right")
        parser.add_argument("--out", required=True, help="CSV of the automatic links")
        parser.add_argument("--model", help="a trained model (JSON) to reuse instead of training")
        parser.add_argument("--save-model", help="write the trained model (JSON) there")
        parser.add_argument("--auto", type=float, default=0.95, help="automatic link from")
        parser.add_argument("--review", type=float, default=0.5, help="review from")

    def handle(self, left, right, out, model, save_model, auto, review, **options):
        if not 0 < review <= auto <= 1:
            raise CommandError("0 < --review <= --auto <= 1")
        try:
            report = linkage.link_files(
                left,
                right,
                out,
                model_path=model,
                save_model=save_model,
                thresholds=linkage.Thresholds(auto=auto, review=review),
            )
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        except Exception as exc:  # duckdb's errors name the bad file or column
            raise CommandError(f"{type(exc).__name__}: {exc}") from None
        sys.stderr.write(json.dumps(report) + "\n")
