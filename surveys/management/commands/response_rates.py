"""Print the response-rate tables, the report's Tabel 2.1 and 2.2 (issue 7 item 6; DOMAIN.md
§15), from surveys.rates: every invitation counts, as for the evaluator.

``--format csv`` writes the same rows and Danish headers as the page's CSV download
(surveys.rate_views.survey_rates_csv: ";" between fields, for Danish Excel), without the
byte-order mark, which belongs to a downloaded file and not to a terminal or a pipe.
``--format table`` lines the same rows up for reading. ``--from``, ``--to`` and
``--programme`` filter as the page does (surveys.rate_forms.RateFilterForm); a bad value
is an error, never a traceback. Counts only, no names.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from familien.models import Branch, Programme
from surveys.models import Invitation
from surveys.rate_forms import RateFilterForm
from surveys.rates import csv_headers, csv_rows, rate_tables, write_csv

# The form's fields by the options that fill them, for the error messages.
OPTIONS = {"date_from": "--from", "date_to": "--to", "programme": "--programme"}


class Command(BaseCommand):
    help = "Print the response rates (the report's Tabel 2.1 and 2.2) as CSV or a table."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "table"], default="table")
        parser.add_argument("--from", dest="date_from", help="invited from this day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="invited until this day, YYYY-MM-DD")
        parser.add_argument("--programme", choices=Programme.values)

    def handle(self, *args, format, date_from, date_to, programme, **options):
        data = {"date_from": date_from, "date_to": date_to, "programme": programme}
        data = {name: value for name, value in data.items() if value}
        # The CSV and the table are in Danish whatever the locale, as the report's tables.
        with translation.override("da"):
            filters = RateFilterForm(data or None, branches=Branch.objects.none())
            if data and not filters.is_valid():
                problems = "; ".join(
                    f"{OPTIONS.get(name, name)}: {' '.join(errors)}"
                    for name, errors in filters.errors.items()
                )
                raise CommandError(problems)
            tables = rate_tables(filters.apply(Invitation.objects.all()))
            rows = [csv_headers(), *([*row[:3], *map(str, row[3:])] for row in csv_rows(tables))]
        if format == "csv":
            write_csv(self.stdout, tables, lineterminator="\n")
            return
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        for row in rows:
            cells = [
                cell.ljust(width) if column < 3 else cell.rjust(width)
                for column, (cell, width) in enumerate(zip(row, widths, strict=True))
            ]
            self.stdout.write("  ".join(cells).rstrip())
