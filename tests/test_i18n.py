"""Danish by default, every string translated, no bare text in templates."""

import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "locale" / "da" / "LC_MESSAGES" / "django.po"
# Attributes a person reads or a screen reader speaks.
SPOKEN_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label"}
# Text that is the same in every language: the product name, codes and symbols.
UNTRANSLATED_ALLOWED = {"Familien i Fokus", "–", "·"}


def test_every_danish_message_is_translated():
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh, locale="da")
    missing = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not message.string
            or (isinstance(message.string, tuple) and not all(message.string))
        )
    ]
    assert missing == []


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in SPOKEN_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._check(data)

    def _check(self, text):
        for chunk in re.split(r"\s{2,}|\n|§", text):
            chunk = chunk.strip(" ,.:;()|/·–")
            if re.search(r"[A-Za-zæøåÆØÅ]{2,}", chunk) and chunk not in UNTRANSLATED_ALLOWED:
                self.found.append(chunk)


def bare_text(source):
    """Words a person would read in a template that are outside {% translate %} and
    {% blocktranslate %}. Template tags and variables count as already translated."""
    html = []
    inside_block = 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in {"blocktranslate", "blocktrans"}:
                inside_block += 1
                html.append("§")
            elif name in {"endblocktranslate", "endblocktrans"}:
                inside_block -= 1
            elif name in {"translate", "trans"}:
                html.append("§")
        elif token.token_type == TokenType.VAR and not inside_block:
            html.append("§")
        elif token.token_type == TokenType.TEXT and not inside_block:
            html.append(token.contents)
    collector = _TextCollector()
    collector.feed("".join(html))
    collector.close()
    return collector.found


def test_templates_hold_no_untranslated_text():
    offenders = {}
    for path in (ROOT / "templates").rglob("*.html"):
        text = bare_text(path.read_text(encoding="utf-8"))
        if text:
            offenders[str(path.relative_to(ROOT))] = text
    assert offenders == {}


def test_the_check_itself_finds_bare_text():
    assert bare_text("<p>Hello there</p>{% translate 'Fine' %}") == ["Hello there"]
    assert bare_text('<img alt="A chart">') == ["A chart"]
    assert bare_text("{% blocktranslate %}Inside{% endblocktranslate %}") == []
