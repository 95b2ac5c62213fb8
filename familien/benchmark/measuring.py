"""What the benchmarks share: the percentile of a list of timings, the exception that
undoes what a measurement wrote, and a figure for a printed table."""


class Rollback(Exception):
    """Raised inside ``transaction.atomic()`` to undo what a measurement wrote."""


def percentile(values, fraction):
    """The value at ``fraction`` (0-1) of the sorted ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def figure(value, digits=1):
    """A number for a table column; a dash for none."""
    return "-" if value is None else f"{value:.{digits}f}"
