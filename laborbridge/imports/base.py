"""What an app implements to import a spreadsheet: column specs and a :class:`RowImporter`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.functional import Promise

if TYPE_CHECKING:
    from laborbridge.models import User

Cleaner = Callable[[Any], Any]
Choices = Sequence[str] | Callable[["RowImporter"], Sequence[str]] | None


class CellError(ValueError):
    """A cell that cannot be used; ``message`` is shown to the official (Chinese)."""

    def __init__(self, message: str | Promise):
        super().__init__(str(message))
        self.message = str(message)


@dataclass(frozen=True)
class Column:
    """One column of an import: how it is recognised, cleaned, explained and offered.

    ``header`` is the canonical Chinese header written in templates and exports;
    ``variants`` are other spellings officials use (matched after folding full-width
    characters, spaces, ``*`` markers and bracketed notes). ``choices`` (labels, or a
    callable taking the importer) become the template's drop-down list; ``strict_choices``
    makes Excel refuse other values (leave it off for multi-value or abbreviated cells).
    ``as_text`` formats the template column as text so Excel keeps long digit strings.
    ``keywords`` are words that identify the column inside a longer header an official made up
    (``"脱贫"`` in ``"是否脱贫劳动力"``); a word starting with ``-`` vetoes the match
    (``"-年度"``: ``"脱贫年度"`` is not the poverty status). A keyword match is the last resort,
    used only when exactly one column claims the header, and the preview says so.
    """

    key: str
    header: str | Promise
    variants: Sequence[str | Promise] = ()
    required: bool = False
    clean: Cleaner | str | None = None  # a callable, or the name of an importer method
    default: Any = None
    choices: Choices = None
    strict_choices: bool = False
    help: str | Promise = ""
    example: str | Promise = ""
    width: int = 14
    as_text: bool = False
    keywords: Sequence[str] = ()
    # The column's cells repeat (choices, places, dates, yes/no): its cleaner depends on the
    # cell alone, so the pipeline cleans each distinct cell once per file and reuses the
    # value or the error (never for personal columns: names, ID numbers, phones).
    repeats: bool = False

    @property
    def label(self) -> str:
        return str(self.header)

    def choice_list(self, importer: RowImporter | None) -> list[str]:
        if self.choices is None:
            return []
        if callable(self.choices):
            return [str(choice) for choice in self.choices(importer)] if importer else []
        return [str(choice) for choice in self.choices]


@dataclass
class RowError:
    """A reason a row is rejected; ``column`` is a column key (or ``""`` for the row)."""

    column: str
    message: str | Promise

    def __post_init__(self) -> None:
        self.message = str(self.message)


class RowRejected(Exception):  # noqa: N818 - raised by importers like ValidationError
    """Raise from ``validate`` / ``check_existing`` to reject a row."""

    def __init__(self, column: str, message: str | Promise):
        super().__init__(str(message))
        self.error = RowError(column, message)


@dataclass
class Row:
    """One data row of the uploaded sheet."""

    number: int  # as Excel shows it (1-based, header rows included)
    cells: list[Any]  # the raw cells, in the file's column order
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    present: frozenset[str] = frozenset()  # column keys the file has
    key: Any = None  # importer.key(row), once the key columns are clean

    def has(self, key: str) -> bool:
        """Return whether the file gave a (non-blank) value for ``key``."""
        return key in self.values

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def reject(self, column: str, message: str | Promise) -> None:
        self.errors.append(RowError(column, message))

    @property
    def rejected(self) -> bool:
        return bool(self.errors)


@dataclass
class Update:
    """A stored object and what a row changes in it."""

    row: Row
    obj: Any
    changes: dict[str, list[Any]]


class RowImporter(ABC):
    """Base class of an app's importer; see the package docstring for the contract."""

    kind: ClassVar[str]
    title: ClassVar[str | Promise]
    columns: ClassVar[Sequence[Column]]
    key_columns: ClassVar[Sequence[str]] = ()
    explanation: ClassVar[str | Promise] = ""  # first lines of the 填写说明 sheet
    # Headers the app knows but does not import (e.g. 性别, derived from the ID number):
    # header → why; the preview lists them with the reason instead of as unknown.
    derived_headers: ClassVar[Mapping[str, str | Promise]] = {}

    def __init__(self, *, actor: User | None, options: Mapping[str, Any] | None = None):
        self.actor = actor
        self.options = dict(options or {})
        self.job: Any = None  # the ImportJob being run, when run by the machinery
        self.progress_callback: Callable[[float], None] | None = None

    @property
    def mapping_scope(self) -> str:
        """Return whose remembered column choices apply (default: the uploading user's own)."""
        return f"user:{self.actor.pk}" if self.actor is not None else ""

    def header_mappings(self) -> Mapping[str, str]:
        """Return the headers an official mapped by hand: header key → column key ("" = ignore).

        Keys are :func:`laborbridge.imports.pipeline.header_key` of the header as written;
        choices naming a column the importer no longer has are left out.
        """
        if not self.mapping_scope:
            return {}
        from laborbridge.imports.models import ImportColumnMapping

        keys = {column.key for column in self.columns}
        return {
            header: key
            for header, key in ImportColumnMapping.objects.filter(
                kind=self.kind, scope=self.mapping_scope
            ).values_list("header_key", "column_key")
            if key == "" or key in keys
        }

    def preview_extras(self, parsed: Any, plan: Any) -> dict[str, Any]:
        """Return extra keys for ``job.preview``: by default the columns an official may map
        an unrecognised header to; importers add theirs (a per-field diff …) to it."""
        return {"column_choices": [[column.key, column.label] for column in self.columns]}

    def map_words(self, *, actor: User, choices: Mapping[str, str]) -> int:
        """Remember the official's meaning of words the import did not know; return how many.

        ``choices`` is word → the value the official picked in the preview's form. Optional
        hook: importers without such words keep the default.
        """
        return 0

    def report_progress(self, fraction: float) -> None:
        """Tell the page how far ``apply`` has got (0–1); call it between batches."""
        if self.progress_callback is not None:
            self.progress_callback(max(0.0, min(1.0, fraction)))

    # Who may use it --------------------------------------------------------------------
    @classmethod
    def allowed(cls, user: User) -> bool:
        return False

    @classmethod
    def options_for(cls, user: User) -> dict[str, Any]:
        """Return the JSON options stored on a new job for ``user`` (e.g. their county)."""
        return {}

    # Hooks -----------------------------------------------------------------------------
    def prepare(self, rows: Sequence[Row]) -> None:
        """Load whatever lookups the cleaners and ``validate`` need, once per import."""
        return None  # optional hook: nothing to do unless the importer says so

    def validate(self, row: Row) -> None:
        """Check a cleaned row across columns; raise :class:`RowRejected` or ``row.reject``."""
        return None  # optional hook: nothing to do unless the importer says so

    @abstractmethod
    def key(self, row: Row) -> Hashable:
        """Return what identifies the row's object (e.g. the ID number's blind index)."""

    @abstractmethod
    def existing(self, keys: Sequence[Hashable]) -> dict[Hashable, Any]:
        """Return the stored objects for ``keys`` — all of them, not only the user's scope."""

    def check_existing(self, row: Row, obj: Any) -> None:
        """Refuse to touch ``obj`` (e.g. it belongs to another county): raise RowRejected."""
        return None  # optional hook: nothing to do unless the importer says so

    @abstractmethod
    def diff(self, row: Row, obj: Any) -> dict[str, list[Any]]:
        """Return ``{column key: [old, new]}`` for what the row would change; {} = unchanged."""

    @abstractmethod
    def apply(self, *, creates: Sequence[Row], updates: Sequence[Update]) -> None:
        """Write the rows in bulk; called inside the commit transaction, audit here."""

    def label(self, row: Row) -> str:
        """Return a short non-sensitive label of the row for the preview (e.g. the name)."""
        return ""

    @abstractmethod
    def export_row(self, obj: Any) -> Mapping[str, Any]:
        """Return column key → cell value for an export in the template's layout."""

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)


_REGISTRY: dict[str, type[RowImporter]] = {}


def register_importer(cls: type[RowImporter]) -> type[RowImporter]:
    """Register an importer class under its ``kind`` (use as a class decorator).

    Its tasks need no import here: workers autodiscover ``laborbridge.imports.tasks`` and a
    publishing process finds them by name (``laborbridge.background.BackgroundJob.task``).
    """
    existing = _REGISTRY.get(cls.kind)
    if existing is not None and existing.__qualname__ != cls.__qualname__:
        raise ValueError(f"Importer kind {cls.kind!r} is already registered by {existing}.")
    _REGISTRY[cls.kind] = cls
    return cls


def importer_class(kind: str) -> type[RowImporter]:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise LookupError(f"No importer registered for kind {kind!r}.") from None


def registered_kinds() -> Iterable[str]:
    return sorted(_REGISTRY)
