"""The registry of message keys: what a message says, in the reader's language.

A message row stores a key and JSON parameters. Rendering looks the key up here and fills
the gettext title/body templates with the parameters under the active language, so the same
row reads in Chinese for one user and in English for another. Parameters that need the
reader's language themselves (a seat label, a local time) are built by the entry's
``derive`` hook at render time from the stored values.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

MISSING = "—"


class _Params(dict):
    """Parameters that render a missing one as a dash instead of failing the page."""

    def __missing__(self, key: str) -> str:
        return MISSING


@dataclass(frozen=True)
class MessageTemplate:
    """A message key's title and body: gettext msgids with ``%(name)s`` parameters."""

    key: str
    title: str
    body: str
    label: str = ""
    tone: str = ""  # a CSS class for the list, e.g. "correction"
    derive: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None


_REGISTRY: dict[str, MessageTemplate] = {}


def register(
    key: str,
    *,
    title: str,
    body: str,
    label: str = "",
    tone: str = "",
    derive: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
) -> MessageTemplate:
    """Register a message key (an app does it in ``AppConfig.ready``); return its template.

    ``title``, ``body`` and ``label`` are msgids (mark them with ``gettext_noop``), translated
    when rendered.
    """
    template = MessageTemplate(
        key=key, title=title, body=body, label=label, tone=tone, derive=derive
    )
    existing = _REGISTRY.get(key)
    if existing is not None and existing != template:
        raise ValueError(f"message key {key!r} is registered twice")
    _REGISTRY[key] = template
    return template


def template_for(key: str) -> MessageTemplate | None:
    return _REGISTRY.get(key)


def registered() -> list[MessageTemplate]:
    """Return every registered message template, by key."""
    return [_REGISTRY[key] for key in sorted(_REGISTRY)]


def _params(template: MessageTemplate, params: Mapping[str, Any]) -> _Params:
    values = _Params(params or {})
    if template.derive is not None:
        values.update(template.derive(values))
    return values


def render_title(key: str, params: Mapping[str, Any]) -> str:
    """Return the message's title in the active language."""
    template = _REGISTRY.get(key)
    if template is None:
        return key  # a key whose app is gone still shows something
    return gettext(template.title) % _params(template, params)


def render_body(key: str, params: Mapping[str, Any]) -> str:
    """Return the message's body in the active language."""
    template = _REGISTRY.get(key)
    if template is None:
        return ""
    return gettext(template.body) % _params(template, params)


def label_of(key: str) -> str:
    """Return the kind of message, for filters, in the active language."""
    template = _REGISTRY.get(key)
    return gettext(template.label) if template and template.label else key


def tone_of(key: str) -> str:
    template = _REGISTRY.get(key)
    return template.tone if template else ""
