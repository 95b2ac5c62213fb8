"""Whole days between two dates, counted by the database (days waiting, match lengths)."""

from django.db.models import DateField, Func, IntegerField, Value
from django.db.models.functions import Cast


class DaysBetween(Func):
    """Whole days from ``start`` to ``end`` (``end`` − ``start``), as an SQL expression.

    PostgreSQL subtracts two dates into an integer (both sides cast, so a date parameter
    is never taken for text); SQLite has no date type, so it goes through julianday().
    Both give the same whole number of days.
    """

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def __init__(self, start, end):
        super().__init__(end, start)

    def as_postgresql(self, compiler, connection, **extra):
        clone = self.copy()
        clone.set_source_expressions(
            [Cast(side, DateField()) for side in self.get_source_expressions()]
        )
        return super(DaysBetween, clone).as_sql(compiler, connection, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def days_since(expression, *, today):
    """Whole days from the date ``expression`` to ``today``."""
    return DaysBetween(expression, Value(today, output_field=DateField()))
