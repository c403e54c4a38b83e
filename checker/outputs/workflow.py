"""GitHub Actions workflow commands, escaped: data has `%`, CR and LF encoded;
property values also `:` and `,`. Untrusted text on its own can never start a
command, because every command is one line and plain log output is fenced by
`::stop-commands::`."""

from __future__ import annotations

import secrets


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int) -> str:
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v not in ("", None))
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def fenced(text: str) -> str:
    """Plain text for the log with workflow commands switched off around it."""
    token = secrets.token_hex(16)
    return f"::stop-commands::{token}\n{text.rstrip(chr(10))}\n::{token}::\n"


def output_lines(values: dict[str, str]) -> str:
    """$GITHUB_OUTPUT entries in the heredoc form with a random delimiter."""
    out = []
    for key, value in values.items():
        delimiter = f"clew_{secrets.token_hex(12)}"
        out.append(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(out)
