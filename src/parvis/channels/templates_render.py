"""Message templates per channel: personalised rendering, link tracking, SMS segment count,
postal letters to PDF.

Templates use Django's template language with a deliberately small context (the person's
names and language, the non-sensitive facts the template names, links): an agent writing
"Bonjour {{ person.first_names }}, votre passeport expire le {{ facts.passport_expires_on }}"
cannot reach anything else. Compiled templates are cached by source, so a batch of 10,000
messages parses each template once."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from functools import lru_cache

from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _

from .sanitize import sanitize_html
from .sms import Segments, segments

_ENGINE = Engine(
    debug=False,
    libraries={},
    builtins=["django.template.defaultfilters", "django.template.defaulttags"],
)
FACT_VARIABLE = re.compile(r"facts\.([a-z0-9_]+)")
HREF = re.compile(r'href="(https?://[^"]+)"', re.IGNORECASE)


class TemplateError(ValueError):
    """A template cannot be compiled or rendered; the message says where."""


@lru_cache(maxsize=512)
def compile_source(source: str):
    try:
        return _ENGINE.from_string(source or "")
    except TemplateSyntaxError as exc:
        raise TemplateError(_("The template has an error: %(error)s") % {"error": exc}) from exc


def check_source(source: str) -> None:
    compile_source(source)


def fact_keys(*sources: str) -> set[str]:
    """The fact keys a template mentions ({{ facts.passport_expires_on }})."""
    return {key for source in sources for key in FACT_VARIABLE.findall(source or "")}


@dataclass
class Rendered:
    subject: str
    text: str
    html: str = ""
    segments: Segments | None = None


def render(
    *,
    channel: str,
    subject: str,
    text: str,
    html: str = "",
    context: dict,
    rewrite_link=None,
    pixel_url: str = "",
) -> Rendered:
    """Fill a template for one person. For e-mail, links in the HTML go through
    `rewrite_link(url) -> url` (click tracking) and `pixel_url` is appended (open
    tracking); the HTML part is sanitised like any HTML we did not write by hand."""
    plain = Context(context, autoescape=False)
    try:
        subject_out = compile_source(subject).render(plain).strip()
        text_out = compile_source(text).render(plain).strip()
        html_out = compile_source(html).render(Context(context)) if html else ""
    except TemplateError:
        raise
    except Exception as exc:  # a filter failing on a value: say so, never half-send
        raise TemplateError(_("The template cannot be filled: %(error)s") % {"error": exc}) from exc
    if channel == "sms":
        return Rendered("", text_out, "", segments(text_out))
    if channel == "email":
        if not html_out:
            paragraphs = [p for p in text_out.split("\n\n") if p.strip()]
            html_out = "".join(
                "<p>" + html_lib.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs
            )
        html_out = sanitize_html(html_out)
        if rewrite_link:
            html_out = HREF.sub(
                lambda m: f'href="{rewrite_link(html_lib.unescape(m[1]))}"', html_out
            )
        if pixel_url:
            # Added after sanitising: the sanitiser strips remote images on purpose.
            html_out += f'<img src="{pixel_url}" width="1" height="1" alt="">'
    return Rendered(subject_out, text_out, html_out)


# --- postal letters ------------------------------------------------------------------------------

LETTER_CSS = """
@page { size: A4; margin: 20mm 20mm 25mm 20mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.45; }
.letter { page-break-after: always; }
.letter:last-child { page-break-after: auto; }
.sender { font-size: 9pt; color: #333; }
.recipient { margin: 28mm 0 12mm 95mm; white-space: pre-line; }
.date { text-align: right; margin-bottom: 8mm; }
.subject { font-weight: bold; margin-bottom: 6mm; }
.body p { margin: 0 0 3mm 0; }
"""


@dataclass
class Letter:
    recipient_name: str
    recipient_address: str  # lines separated by "\n" or ", "
    date_label: str
    subject: str
    text: str
    sender: str


def _letter_html(letter: Letter) -> str:
    esc = html_lib.escape
    paragraphs = "".join(
        "<p>" + esc(p).replace("\n", "<br>") + "</p>"
        for p in letter.text.split("\n\n")
        if p.strip()
    )
    address = "\n".join(part.strip() for part in letter.recipient_address.split(","))
    return (
        f'<section class="letter"><div class="sender">{esc(letter.sender)}</div>'
        f'<div class="recipient">{esc(letter.recipient_name)}\n{esc(address)}</div>'
        f'<div class="date">{esc(letter.date_label)}</div>'
        f'<div class="subject">{esc(letter.subject)}</div>'
        f'<div class="body">{paragraphs}</div></section>'
    )


def letters_pdf(letters: list[Letter]) -> bytes:
    """All the letters in one printable PDF (one or more pages each), with WeasyPrint."""
    from weasyprint import HTML

    body = "".join(_letter_html(letter) for letter in letters)
    document = (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f"<style>{LETTER_CSS}</style></head><body>{body}</body></html>"
    )
    return HTML(string=document).write_pdf()
