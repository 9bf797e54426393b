"""What the apps above the ground floor show through the core's pages.

The core (the menu, the home page) must not import the apps that stand on it, so each app
registers its menu entries, home-page figures and page sections here from its
``AppConfig.ready()``; the core reads the registry. An app that is not installed simply
registers nothing.

* menu entries — per role, an URL name, a label and a position; an optional badge callable
  returns the ``laborbridge.badges.Badge`` of the number shown beside the entry (one cheap
  query, usually kept in Redis; a page asks for all its badges in one round trip).
* home figures — a callable taking the user and returning a dict merged into the home
  page's ``dashboard`` (each app owns its keys).
* page sections — extra blocks on another app's page (e.g. a worker's matches on the worker
  page): a template and a callable returning its context, or ``None`` to show nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from laborbridge.badges import Badge


@dataclass(frozen=True)
class MenuEntry:
    role: str
    url_name: str
    label: Any  # a lazy translation
    position: int
    badge: Callable[[Any], Badge] | None = None


@dataclass(frozen=True)
class PageSection:
    page: str
    template: str
    context: Callable[[Any, Any], dict | None]
    position: int


_menu: dict[tuple[str, str], MenuEntry] = {}
# role -> its entries in menu order, sorted once (every signed-in page asks); emptied when
# an entry is registered.
_menu_sorted: dict[str | None, tuple[MenuEntry, ...]] = {}
_home_figures: dict[str, Callable[[Any], dict]] = {}
_sections: dict[tuple[str, str], PageSection] = {}


def menu_entry_register(
    *,
    roles: dict[str, int],
    url_name: str,
    label: Any,
    badge: Callable[[Any], Badge] | None = None,
) -> None:
    """Register a menu entry for each role, at that role's position (lower comes first).

    Registering the same URL name for a role again replaces the entry, so ``ready()`` may
    run twice (as it does in some test setups) without doubling the menu.
    """
    for role, position in roles.items():
        _menu[(role, url_name)] = MenuEntry(role, url_name, label, position, badge)
    _menu_sorted.clear()


def menu_entries_for(role: str | None) -> tuple[MenuEntry, ...]:
    """Return the role's menu entries in menu order."""
    entries = _menu_sorted.get(role)
    if entries is None:
        entries = _menu_sorted[role] = tuple(
            sorted(
                (entry for (entry_role, _name), entry in _menu.items() if entry_role == role),
                key=lambda entry: (entry.position, entry.url_name),
            )
        )
    return entries


def home_figures_register(name: str, figures: Callable[[Any], dict]) -> None:
    """Register a callable whose dict is merged into every home page's dashboard."""
    _home_figures[name] = figures


def home_figures_for(user) -> dict:
    """Return the merged home figures of every app for the user, in registration order."""
    data: dict = {}
    for figures in _home_figures.values():
        data.update(figures(user))
    return data


def page_section_register(
    *, page: str, template: str, context: Callable[[Any, Any], dict | None], position: int = 50
) -> None:
    """Register a section shown on ``page`` (a name the page's view chooses)."""
    _sections[(page, template)] = PageSection(page, template, context, position)


def page_sections_for(page: str, request, obj) -> list[dict]:
    """Return the sections of ``page`` to render: each a dict with its ``template``."""
    sections = []
    for section in sorted(
        (s for (name, _template), s in _sections.items() if name == page),
        key=lambda s: (s.position, s.template),
    ):
        context = section.context(request, obj)
        if context is not None:
            sections.append({"template": section.template, **context})
    return sections


# --- demo steps -----------------------------------------------------------------------------
# ``manage.py demo`` lives on the transport floor; the apps above it add their part of the demo
# here (from ``ready()``) instead of being imported by the command. A step takes the site's
# address (for links to print) and returns the lines the command prints.

_demo_steps: dict[str, tuple[int, Callable[..., list[str]]]] = {}


def demo_step_register(name: str, step: Callable[..., list[str]], *, position: int = 50) -> None:
    """Register a demo step run (lower position first) after the demo's travellers."""
    _demo_steps[name] = (position, step)


def demo_steps_run(*, base_url: str) -> list[str]:
    """Run every registered demo step; return the lines they print, in order."""
    lines: list[str] = []
    for _position, step in sorted(_demo_steps.values(), key=lambda entry: entry[0]):
        lines += step(base_url=base_url)
    return lines
