"""The aftalepapir (family friend) or mentoraftale (mentor) as a PDF, in Danish (issue 4
item 5; DOMAIN.md §3.4).

A print template with a plain block layout (WeasyPrint paginates blocks reliably); the
style sheet lives here because the page is never served to a browser.
"""

from django.template.loader import render_to_string
from django.utils import translation

from familien.models import Programme
from matching import lifecycle

PRINT_CSS = """
@page { size: A4; margin: 2cm 2cm 2.2cm 2cm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.4; }
h1 { font-size: 18pt; margin: 0 0 .3cm 0; }
h2 { font-size: 12pt; margin: .6cm 0 .2cm 0; }
p { margin: 0 0 .25cm 0; }
.lead { color: #444; }
.box { border: 1px solid #999; padding: .3cm; margin: 0 0 .3cm 0; }
.signature { margin: 1.2cm 0 0 0; page-break-inside: avoid; }
.line { border-top: 1px solid #000; margin: 1.2cm 0 .1cm 0; width: 9cm; }
.small { font-size: 9pt; color: #444; }
"""


def agreement_title(programme):
    """The document's Danish name: aftalepapir for a family friend, else mentoraftale."""
    with translation.override("da"):
        if programme == Programme.FAMILY_FRIEND:
            return str(translation.gettext("Agreement paper"))
        return str(translation.gettext("Mentoring agreement"))


def agreement_context(match):
    """What the template shows; ``match`` comes with family, volunteer and agreement."""
    agreement = match.agreement
    start = match.started_on or agreement.family_signed_on or agreement.created_at.date()
    return {
        "match": match,
        "agreement": agreement,
        "title": agreement_title(match.programme),
        "family_friend": match.programme == Programme.FAMILY_FRIEND,
        "parents": list(match.family.parents.all()),
        "start": start,
        "framework_agreements": lifecycle.framework_agreements_for(match, start),
    }


def render_agreement_html(match):
    with translation.override("da"):
        return render_to_string("matching/agreement_pdf.html", agreement_context(match))


def render_agreement_pdf(match):
    """The agreement as PDF bytes."""
    from weasyprint import CSS, HTML

    html = render_agreement_html(match)
    return HTML(string=html).write_pdf(stylesheets=[CSS(string=PRINT_CSS)])
