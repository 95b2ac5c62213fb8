"""The 20-page PDF report's time (issue 8 item 2; P7: median at most 5 s, p95 at most 7 s)
and memory.

The report is rendered as the central corps sees it, one warm-up and then ``runs`` timed
renders, each split into the figures with the HTML (surveys.report_pdf's context and
template) and WeasyPrint's layout. ``data="sample"`` first writes surveys.report_sample's
invented branches (as ``manage.py benchmark_report`` does) and reports on their two
years; ``data="existing"`` reports on whatever the database holds, over the whole period.
Everything runs in a transaction that is rolled back.
"""

import logging
import statistics
import time
from datetime import date

from django.db import transaction
from django.utils import timezone

from familien.benchmark.measuring import Rollback, percentile
from familien.models import Family, Role, User
from surveys.report_pdf import render_report_document
from surveys.report_sample import build_sample, sample_filters

TARGET_MEDIAN_S = 5.0
TARGET_P95_S = 7.0
TARGET_PEAK_MB = 300
# Below this many families the database is a demo or a test: the sample fills it up.
EXISTING_FROM_FAMILIES = 1000


def default_data():
    return "existing" if Family.objects.count() >= EXISTING_FROM_FAMILIES else "sample"


def _timed_render(user, filters, today):
    """(pdf, pages, total seconds, seconds until the HTML was ready), as
    surveys.report_pdf.render_report_pdf renders it."""
    marks = {}
    began = time.perf_counter()

    def progress(percent, step):
        if step == "rendering":
            marks["html"] = time.perf_counter() - began

    document = render_report_document(user, filters, today=today, progress=progress)
    pdf = document.write_pdf()
    return pdf, len(document.pages), time.perf_counter() - began, marks.get("html", 0.0)


def measure_report(*, runs=5, data="sample", branches=60, families=6, today_iso=None, say=None):
    """Render the report ``runs`` times after one warm-up; returns the figures."""
    say = say or (lambda line: None)
    # WeasyPrint logs every page at INFO; the timings are what matter here.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
    today = date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    result = {}
    try:
        with transaction.atomic():
            if data == "sample":
                counts = build_sample(branches=branches, families_per_branch=families, today=today)
                filters = sample_filters(today=today)
            else:
                counts = {"families": Family.objects.count()}
                filters = {}
            user = User.objects.create(
                email="benchmark-report@benchmark.invalid",
                full_name="Benchmark",
                role=Role.CENTRAL,
            )
            say("Report data: " + ", ".join(f"{key} {value}" for key, value in counts.items()))
            _pdf, _pages, warm_up, _html = _timed_render(user, filters, today)
            say(f"  warm-up: {warm_up:.2f} s")
            timings, html = [], []
            for run in range(1, runs + 1):
                pdf, pages, seconds, html_seconds = _timed_render(user, filters, today)
                timings.append(seconds)
                html.append(html_seconds)
                say(f"  run {run}: {seconds:.2f} s (figures and HTML {html_seconds:.2f} s)")
            result.update(
                data=data,
                counts=counts,
                pages=pages,
                pdf_kb=round(len(pdf) / 1024),
                warm_up_s=round(warm_up, 2),
            )
            raise Rollback
    except Rollback:
        pass
    median = statistics.median(timings)
    p95 = percentile(timings, 0.95)
    result.update(
        runs=runs,
        timings_s=[round(value, 2) for value in timings],
        median_s=round(median, 2),
        p95_s=round(p95, 2),
        html_median_s=round(statistics.median(html), 2),
        layout_median_s=round(median - statistics.median(html), 2),
    )
    return result


def judge(result):
    result["target"] = (
        f"median <= {TARGET_MEDIAN_S:.0f} s, p95 <= {TARGET_P95_S:.0f} s, "
        f"peak < {TARGET_PEAK_MB} MB"
    )
    ok = (
        result["median_s"] <= TARGET_MEDIAN_S
        and result["p95_s"] <= TARGET_P95_S
        and result.get("peak_mb", 0) < TARGET_PEAK_MB
    )
    result["verdict"] = "OK" if ok else "MISS"
    return result
