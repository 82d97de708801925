"""HTML from outside (emails, rich text) is cleaned with nh3 before anyone sees it."""

import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"alt", "src"},
    "td": {"colspan"},
    "th": {"colspan"},
}


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    # Remote images track the reader (a pixel tells the sender the agent opened the mail):
    # only inline images (cid: parts, data: URLs) are kept.
    if tag == "img" and attribute == "src":
        return value if value.startswith(("cid:", "data:image/")) else None
    return value


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel", "cid", "data"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_filter_attribute,
        strip_comments=True,
    )
