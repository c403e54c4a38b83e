"""Untrusted text (titles, branch names, labels, evidence) made safe for
Markdown and HTML on GitHub and GitLab: it can never break a table, open an
HTML comment, spoof the sticky marker, make a link (bare URLs included: GitHub
and GitLab link `https://…` and `www.…` by themselves), reorder text with bidi
controls, or ping anyone."""

from __future__ import annotations

import re

_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # C0, DEL, C1, line/paragraph separators
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|~>])")
_MENTION = re.compile(r"@(?=[A-Za-z0-9_])")
_AUTOLINK = re.compile(r"(?i)(?<![A-Za-z0-9])(https?|ftp|mailto|xmpp|www)(?=[:.])")  # what GitHub and GitLab link unasked
ZWSP = "\u200b"


def text(value: str, limit: int = 300) -> str:
    """One line of inert Markdown: escaped, mention-free, bounded."""
    value = _CONTROL.sub(" ", _BIDI.sub("", value)).replace("\r", " ").replace("\n", " ").strip()
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _SPECIAL.sub(r"\\\1", value)
    value = _AUTOLINK.sub(lambda m: m[1] + ZWSP, value)  # a zero-width space after the scheme or "www" keeps it text
    return _MENTION.sub("@" + ZWSP, value)


def code(value: str, limit: int = 200) -> str:
    """Inline code that cannot be closed early (backticks become a quote mark)."""
    value = _CONTROL.sub(" ", _BIDI.sub("", value)).replace("\n", " ").replace("`", "ʼ").strip()
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"`{value}`" if value else "` `"
