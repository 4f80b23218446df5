"""Text from users and data, made safe for the one place it lands: one helper per place.

No text from a user or the data is ever evaluated: not as HTML, not as script, not as a template
(branca compiles a rendered element's output as a Jinja template a second time), not as Markdown,
not as a spreadsheet formula. Every such text goes through exactly one of these helpers, chosen by
where it lands:

- :func:`html_text` for HTML element content and :func:`html_attr` for a quoted attribute value;
- :func:`script_json` for data inside a ``<script>`` element;
- :func:`markdown_text` for a Streamlit element that reads Markdown;
- :func:`csv_cell` for a cell of a CSV file a reader may open in a spreadsheet;
- :func:`safe_url` for an address that becomes a link.

The HTML and script helpers also encode ``{`` and ``}``, so the text holds no template delimiter
even if it ever reached a template; the pages insert it after templating anyway
(``layers.control_map``).
"""

from __future__ import annotations

import html
import json
import math
import re
from typing import Any

#: Characters that become HTML entities beside html.escape's: braces (template delimiters), and a
#: backtick, ``$`` and backslash (they could end or interpolate a JavaScript string or template).
_HTML_EXTRA = str.maketrans({"{": "&#123;", "}": "&#125;", "`": "&#96;", "$": "&#36;", "\\": "&#92;"})
#: Characters written as \\u escapes inside script JSON: no ``</script>``, no ``<!--``, no line
#: separators (a syntax error in older engines), and no template delimiter.
_SCRIPT_ESCAPES = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "{": "\\u007b",
        "}": "\\u007d",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)
#: Characters that make a spreadsheet read a cell as a formula when they start it (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Characters escaped with a backslash in Markdown (every one Streamlit's Markdown gives a meaning).
_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~$:&")


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def html_text(value: Any) -> str:
    """``value`` as HTML element content: shown exactly as written, never read as markup."""
    return html.escape(_text(value), quote=True).translate(_HTML_EXTRA)


def html_attr(value: Any) -> str:
    """``value`` inside a double- or single-quoted HTML attribute."""
    return html_text(value)


def script_json(data: Any) -> str:
    """``data`` as JSON safe inside a ``<script>`` element (read with ``JSON.parse`` of its text, or
    as a script literal). Structural braces stay (JSON needs them; none can start a template
    delimiter, since an object opens with a quote or closes at once); every brace inside a string
    is a \\u escape."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _escape_strings(text)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _escape_strings(text: str) -> str:
    # Outside its strings JSON has no <, >, & or line separator, and its braces are structural.
    return _JSON_STRING.sub(lambda m: m[0].translate(_SCRIPT_ESCAPES), text)


def markdown_text(value: Any) -> str:
    """``value`` for a Streamlit element that reads Markdown (``st.markdown``, ``st.warning``...):
    every character Markdown or HTML gives a meaning is escaped, so no link, image or markup forms."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in _text(value).replace("\n", " "))


def csv_cell(value: Any) -> Any:
    """A text cell that would start a spreadsheet formula gets a leading ``'`` (OWASP's advice);
    numbers, dates and other text pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_url(url: Any) -> str | None:
    """The address when it is http(s) with no character that could leave an attribute, else None
    (never a ``javascript:`` link); not escaped, so pass it through :func:`html_attr` too."""
    text = _text(url).strip()
    ok = text.lower().startswith(("http://", "https://")) and not any(c in text for c in "\"'<> `{}\\")
    return text if ok and text.isprintable() else None
