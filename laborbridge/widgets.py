"""Form widgets shared by the apps."""

from __future__ import annotations

import time
from collections.abc import Callable
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

# Reference data (regions, occupations) changes with a deployment's reference load, not
# while people page through a list: a process keeps a select's options this long.
OPTIONS_TTL_SECONDS = 600
# (key, language) -> (rendered at, the HTML)
_RENDERED: dict[tuple, tuple[float, str]] = {}
# Keys may carry a request's filter values: past this many the process starts afresh.
RENDERED_MAX_ENTRIES = 512


def rendered_cached(key: tuple, render: Callable[[], str]) -> str:
    """Return ``render()``'s HTML, kept per process and language ``OPTIONS_TTL_SECONDS``.

    For markup that depends only on reference data and on what ``key`` names (a select's
    options, a filter form for a scope and its chosen values), never on people's records.
    """
    slot = (key, get_language() or "")
    rendered = _RENDERED.get(slot)
    if rendered is None or time.monotonic() - rendered[0] > OPTIONS_TTL_SECONDS:
        if len(_RENDERED) >= RENDERED_MAX_ENTRIES:
            _RENDERED.clear()
        rendered = _RENDERED[slot] = (time.monotonic(), render())
    return rendered[1]


class PlainSelect(forms.Select):
    """A ``<select>`` whose options are joined as strings, not rendered one template each.

    Django's ``Select`` renders every option through a template (~40 µs each): the registry
    filter's wish cities (3,178), travel groups (one per family: 1,666 in a 50,000-person
    county) and occupations cost its list page ~300 ms of CPU a request. Same markup, no
    option groups; the field still validates a submitted value against its choices.
    """

    def __init__(self, attrs=None, *, label_field: str | None = None):
        super().__init__(attrs)
        # Read (pk, label_field) rows instead of model instances when ``str(instance)`` is
        # that field: 1,666 travel groups built as objects cost more than rendering them.
        self.label_field = label_field

    def _option_rows(self):
        queryset = getattr(self.choices, "queryset", None)
        if self.label_field is None or queryset is None:
            return self.choices
        empty = self.choices.field.empty_label
        rows = list(queryset.values_list("pk", self.label_field))
        return [("", empty), *rows] if empty is not None else rows

    def _options(self) -> str:
        # html.escape is what django.utils.html.escape does, without its lazy-string checks
        # (~20 µs a call through format_html, thousands of calls a page).
        return "".join(
            f'<option value="{escape(str(value))}">{escape(str(label))}</option>'
            for value, label in self._option_rows()
        )

    def render(self, name, value, attrs=None, renderer=None):
        options = self._options()
        for chosen in self.format_value(value):
            plain = format_html('<option value="{}">', chosen)
            options = options.replace(plain, plain[:-1] + " selected>", 1)
        final = self.build_attrs(self.attrs, attrs)
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(final), mark_safe(options)
        )


class ChosenOnlySelect(PlainSelect):
    """A ``PlainSelect`` that lists only the chosen value (and the empty choice), for a
    choice among too many to ship in every page (a county's 1,666 travel groups were ~70 kB
    and a query on each list page); people reach a value by a link ("与王小明同行" on a
    row) and come back to "all" with the empty choice. Renders nothing when nothing is
    chosen. The field still validates a submitted value against its whole queryset."""

    def _option_rows(self):
        chosen = [v for v in self._chosen if v]
        queryset = getattr(self.choices, "queryset", None)
        if not chosen or queryset is None:
            return []
        empty = self.choices.field.empty_label
        rows = list(queryset.filter(pk__in=chosen).values_list("pk", self.label_field or "pk"))
        return [("", empty), *rows] if empty is not None else rows

    def render(self, name, value, attrs=None, renderer=None):
        self._chosen = [v for v in self.format_value(value) if v.isdigit()]
        if not self._chosen:
            return ""
        return super().render(name, value, attrs, renderer)


class GivenOptionsSelect(PlainSelect):
    """A ``PlainSelect`` over the (value, label) ``rows`` it is given, after the empty choice:
    the values a scope's records use instead of a whole reference table (a county's workers
    wish for a few dozen of the 3,178 cities and counties: ~130 kB of options on every list
    page and a list no one can scroll on a phone). The field still validates a submitted
    value against its whole queryset."""

    def __init__(self, rows, *, empty_label, attrs=None):
        super().__init__(attrs)
        self.rows, self.empty_label = list(rows), empty_label

    def _option_rows(self):
        return [("", self.empty_label), *self.rows]


class ReferenceSelect(PlainSelect):
    """A ``PlainSelect`` over a fixed reference table (the same for every user, named by
    ``key``), its options rendered once per process and language and kept
    ``OPTIONS_TTL_SECONDS``: no query and no rendering on most pages."""

    def __init__(self, key: str, attrs=None):
        super().__init__(attrs)
        self.key = key

    def _options(self) -> str:
        return rendered_cached((self.key,), super()._options)
