"""The public entry points: the thin driver over readers, schema and parser."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import (
    Callable,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)

import attrs

from ._collector import collector_paused
from ._limits import Limits
from ._lookups import (
    Lookups,
    NameForms,
    StoreAnswers,
    ids_to_ask,
    lookups,
    name_keys_needed,
)
from ._parse import parse_rows
from ._plan import Plan
from ._problems import Problem, make_problem
from ._readers import Sheet, Source, open_sheet
from ._reconcile import Mode, PlanBuilder, Settings
from ._records import Customer, CustomerRow
from ._result import Column, ReadResult
from ._schema import ColumnMap, Schema, map_header
from ._store import OPTION_KEYS, CustomerStore

__all__ = ["Progress", "iter_customers", "read_customers", "reconcile"]

#: What `reconcile` calls with (rows read so far, total rows if known).
Progress = Callable[[int, int | None], None]

_PROGRESS_EVERY = 1_000
#: Keys per store call, unless the caller says otherwise.
DEFAULT_BATCH_SIZE = 1_000


@attrs.frozen
class _ReadOptions:
    """How to read a file: the options of `read_customers`, checked."""

    sheet: str | None
    columns: Mapping[str, str] | None
    schema: Schema
    limits: Limits


def _read_options(
    source: object,
    *,
    sheet: str | None,
    columns: Mapping[str, str] | None,
    schema: Schema | None,
    limits: Limits | None,
) -> _ReadOptions:
    """The options checked (`TypeError` for a wrong type), with defaults."""
    if not isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)) and (
        not hasattr(source, "read") and not isinstance(source, Iterable)
    ):
        raise TypeError(
            "source must be a path, bytes, a binary file object or an iterable "
            f"of {{header: value}} mappings, not {type(source).__name__}"
        )
    if columns is not None and not isinstance(columns, Mapping):
        raise TypeError(
            "columns must be a mapping of header text to template column, "
            f"like {{'Customer Name': 'name'}}, not {type(columns).__name__}"
        )
    if schema is not None and not isinstance(schema, Schema):
        raise TypeError(f"schema must be a Schema, not {type(schema).__name__}")
    if limits is not None and not isinstance(limits, Limits):
        raise TypeError(f"limits must be a Limits, not {type(limits).__name__}")
    if sheet is not None and not isinstance(sheet, str):
        raise TypeError(f"sheet must be a sheet name (str), not {type(sheet).__name__}")
    return _ReadOptions(sheet, columns, schema or Schema(), limits or Limits())


def iter_customers(
    source: Source,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    schema: Schema | None = None,
    limits: Limits | None = None,
) -> Iterator[CustomerRow | Problem]:
    """Stream a customer file: yield each `CustomerRow` and `Problem` as read.

    Holds one row at a time, for files too big to keep in memory. Arguments
    are those of `read_customers`. The file is opened on the first ``next()``
    and closed when the iteration ends (or the iterator is closed), so
    `ImportFileError` is raised from the iteration, not from this call.
    """
    return _iterate(
        source,
        _read_options(
            source, sheet=sheet, columns=columns, schema=schema, limits=limits
        ),
    )


def _iterate(
    source: Source,
    options: _ReadOptions,
    on_header: Callable[[Sheet, ColumnMap], None] | None = None,
) -> Generator[CustomerRow | Problem, None, None]:
    with open_sheet(source, sheet=options.sheet, limits=options.limits) as table:
        if table is None:
            yield make_problem("no-header")
            return
        yield from table.notices
        column_map = map_header(
            table.header,
            header_row=table.header_row,
            sheet=table.name,
            schema=options.schema,
            aliases=options.columns,
        )
        if on_header is not None:
            on_header(table, column_map)
        yield from column_map.problems
        if column_map.ok:
            yield from parse_rows(table, column_map, limits=options.limits)


def read_customers(
    source: Source,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    schema: Schema | None = None,
    limits: Limits | None = None,
) -> ReadResult:
    """Read and validate a customer file (CSV, TSV, XLSX, XLSM or XLS).

    Args:
        source: a path, the file's bytes, or a binary file object. The format
            is detected from the bytes, not from the name.
        sheet: the worksheet to read; default: the first visible one.
        columns: aliases for headers a CRM writes differently,
            ``{"Customer Name": "name", "E-mail": "email"}``.
        schema: the template extended with custom typed columns.
        limits: caps on rows, columns, cell length and bytes.

    Returns:
        The valid rows and every problem. Trouble in a row or cell is a
        `Problem` in the result, never an exception.

    Raises:
        ImportFileError: the file cannot be read at all (not a spreadsheet,
            damaged, password-protected, over a limit); its message says what
            the file is and what to do.
    """
    return _read(
        source,
        _read_options(
            source, sheet=sheet, columns=columns, schema=schema, limits=limits
        ),
        progress=None,
    )


class _Reading:
    """A file being read: its rows handed over as asked, its problems and
    header kept, the caller's *progress* told as rows are read."""

    def __init__(
        self, source: Source, options: _ReadOptions, progress: Progress | None
    ) -> None:
        self.problems: list[Problem] = []
        self.header_row: int | None = None
        self.sheet: str | None = None
        self.columns: tuple[Column, ...] = ()
        self.formats: list[str] = []
        #: the row number of the last row or problem read (with *progress*)
        self.last_row: int | None = None
        self._progress = progress
        self._reported = 0
        self.items = _iterate(source, options, on_header=self._on_header)

    def _on_header(self, table: Sheet, column_map: ColumnMap) -> None:
        self.formats.append(table.format)
        self.header_row = table.header_row
        self.sheet = table.name
        self.columns = tuple(
            Column(field=c.field, header=c.header, letter=c.letter)
            for c in column_map.columns
        )

    @property
    def only_our_objects(self) -> bool:
        """Whether reading ran only the library's code (see `Pause`): the
        text reader is the library's own code, and so is everything the
        loop ran without a progress callback; workbook readers and the
        caller's rows or callback are other code."""
        return self._progress is None and self.formats in (["csv"], ["tsv"])

    def rows(self, count: int) -> list[CustomerRow]:
        """The next *count* rows (fewer at the end of the file)."""
        rows: list[CustomerRow] = []
        problems = self.problems
        progress = self._progress
        for item in self.items:
            if type(item) is CustomerRow:
                rows.append(item)
            else:
                problems.append(item)  # type: ignore[arg-type]
            if progress is not None and item.row is not None:
                self.last_row = item.row
                # Rows read so far, with or without errors (header excluded).
                done = item.row - (self.header_row or 1)
                if done >= self._reported + _PROGRESS_EVERY:
                    self._reported = done - done % _PROGRESS_EVERY
                    progress(self._reported, None)
            if len(rows) == count:
                break
        return rows

    def skip_rest(self) -> None:
        """Read the rest of the file, keeping nothing: it raises what
        reading it raises."""
        for _ in self.items:
            pass

    def done(self) -> int:
        """How many rows were read, at the end (for the last progress call)."""
        header_row = self.header_row or 0
        last = self.last_row if self.last_row is not None else header_row
        return last - (self.header_row or 1)


def _read(
    source: Source, options: _ReadOptions, progress: Progress | None
) -> ReadResult:
    reading = _Reading(source, options, progress)
    with collector_paused() as pause, contextlib.closing(reading.items):
        rows = reading.rows(-1)
        result = ReadResult(
            rows=tuple(rows),
            problems=tuple(reading.problems),
            columns=reading.columns,
            header_row=reading.header_row,
            sheet=reading.sheet,
        )
        pause.only_our_objects = reading.only_our_objects
    return result


def reconcile(
    source: Source | ReadResult,
    store: CustomerStore,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    schema: Schema | None = None,
    limits: Limits | None = None,
    mode: Mode = "upsert",
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_errors: int | None = None,
    mass_change_share: float = 0.5,
    mass_change_minimum: int = 20,
    progress: Progress | None = None,
) -> Plan:
    """Read a customer file and plan what importing it into *store* would do.

    Args:
        source: a path, the file's bytes, a binary file object, a
            `ReadResult` already read, or an iterable of ``{header: value}``
            mappings.
        store: the host app's storage, through the `CustomerStore` protocol;
            it is only read, in bulk calls of at most *batch_size* keys.
        sheet, columns, schema, limits: as for `read_customers`.
        mode: ``"upsert"`` (default), ``"create-only"`` (a row matching an
            existing customer is an error) or ``"update-only"`` (a row
            matching none is an error).
        batch_size: keys per store call.
        max_errors: stop collecting after this many errors (the plan says
            so); default: no limit.
        mass_change_share, mass_change_minimum: warn when an import changes
            one field for more than this share of the store's customers and
            for at least this many of them (default: half, and 20).
        progress: called with (rows read, total or None) at least every
            1,000 rows, and once at the end.

    Returns:
        The `Plan`: actions in file order and every problem. Nothing is
        written; apply the plan with the store's ``apply``.

    Raises:
        ImportFileError: the file cannot be read at all.
    """
    if mode not in ("upsert", "create-only", "update-only"):
        raise ValueError(
            f"mode must be 'upsert', 'create-only' or 'update-only', not {mode!r}"
        )
    _check_positive_int("batch_size", batch_size)
    _check_positive_int("mass_change_minimum", mass_change_minimum)
    if max_errors is not None and (
        isinstance(max_errors, bool)
        or not isinstance(max_errors, int)
        or max_errors < 0
    ):
        raise ValueError(f"max_errors must be None or an int >= 0, not {max_errors!r}")
    if (
        isinstance(mass_change_share, bool)
        or not isinstance(mass_change_share, (int, float))
        or not 0 <= mass_change_share <= 1
    ):
        raise ValueError(
            f"mass_change_share must be between 0 and 1, not {mass_change_share!r}"
        )
    settings = Settings(
        mode=mode,
        max_errors=max_errors,
        mass_change_share=mass_change_share,
        mass_change_minimum=mass_change_minimum,
    )
    if isinstance(source, ReadResult):
        return _plan_read(source, _Asking(store, batch_size), settings, progress)
    options = _read_options(
        source, sheet=sheet, columns=columns, schema=schema, limits=limits
    )
    asking = _Asking(store, batch_size)
    if _rereadable(source):
        # Told only of counts past those told: the file may be read twice.
        progress = _onwards(progress)
        plan = _plan_while_reading(source, options, asking, settings, progress)
        if plan is not None:
            return plan
        # A rule of the whole file applies: the file is read again, and
        # planned whole. The store is not asked again what it answered.
        asking.recall()
        if hasattr(source, "seek"):
            source.seek(0)
    result = _read(source, options, progress)
    return _plan_read(result, asking, settings, progress)


def _rereadable(source: object) -> bool:
    """Whether *source* can be read again: bytes, a path to a regular file,
    or a binary file object that can seek back to 0, where it is."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return True
    if isinstance(source, (str, os.PathLike)):
        try:
            return stat.S_ISREG(os.stat(source).st_mode)
        except (OSError, ValueError):
            # Reading it says what is wrong.
            return False
    try:
        # Only a stream read from its start is read as it is (a copy is
        # read otherwise), and the copy cannot be read again.
        return bool(source.seekable() and source.tell() == 0)  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False


def _onwards(progress: Progress | None) -> Progress | None:
    """*progress*, told only of counts past those it was told, and of the
    end."""
    if progress is None:
        return None
    told = 0

    def tell(done: int, total: int | None) -> None:
        nonlocal told
        if done > told or total is not None:
            told = max(told, done)
            progress(done, total)

    return tell


@attrs.define
class _Asking:
    """The store, and what it answered: each key is asked about once."""

    store: CustomerStore
    batch_size: int
    names: NameForms = attrs.field(factory=NameForms)
    #: the reference data, and the answers about names so far
    reference_answers: StoreAnswers | None = None
    #: the answers about the keys of each chunk planned so far
    answered: list[StoreAnswers] = attrs.field(factory=list)
    #: the internal ids and ids asked about for each chunk (the keys of
    #: chunks are new by `PlanBuilder.fits`: they need no checking)
    asked: list[tuple[Sequence[str], Sequence[str]]] = attrs.field(factory=list)
    #: the internal ids and ids asked about before `recall`, which `ask`
    #: skips (a whole file's keys may have been asked about in chunks)
    asked_internal_ids: set[str] = attrs.field(factory=set)
    asked_ids: set[str] = attrs.field(factory=set)
    #: the name keys asked about so far (names repeat from chunk to chunk)
    asked_name_keys: set[str] = attrs.field(factory=set)
    #: what the answers about earlier chunks say, for planning the whole
    #: file after them (`ask` hands them over with its answers)
    known_by_internal_id: dict[str, Customer] = attrs.field(factory=dict)
    known_by_id: dict[str, Customer] = attrs.field(factory=dict)

    def reference(self) -> StoreAnswers:
        """The store's reference data (asked on first use), without answers
        about ids yet."""
        if self.reference_answers is None:
            store = self.store
            with collector_paused():
                self.reference_answers = StoreAnswers(
                    by_id={},
                    by_internal_id={},
                    by_name_key={},
                    highest_generated_id=store.highest_generated_id(),
                    customer_count=store.customer_count(),
                    customer_groups=frozenset(store.customer_groups()),
                    user_groups=tuple(store.user_groups()),
                    manufacturers=tuple(store.manufacturers()),
                    options={
                        key: tuple(store.option_values(key)) for key in OPTION_KEYS
                    },
                )
        return self.reference_answers

    def ask(self, keys: Lookups) -> StoreAnswers:
        """The store's answers about *keys*: those not asked before are
        asked, one call per batch of keys. The names answered accumulate."""
        reference = self.reference()
        store, size = self.store, self.batch_size
        with collector_paused():
            internal_ids: Sequence[str] = keys.internal_ids
            if self.asked_internal_ids:
                asked = self.asked_internal_ids
                internal_ids = [key for key in internal_ids if key not in asked]
            found: dict[str, Customer] = {}
            for batch in batches(internal_ids, size):
                found.update(store.customers_by_internal_id(batch))
            by_internal_id, self.known_by_internal_id = self.known_by_internal_id, {}
            by_internal_id.update(found)
            by_id, self.known_by_id = self.known_by_id, {}
            ids = ids_to_ask(keys, found, by_id, self.asked_ids)
            self.asked.append((internal_ids, ids))
            for batch in batches(ids, size):
                by_id.update(store.customers_by_id(batch))
            name_keys = [
                key
                for key in name_keys_needed(keys, by_id, self.names)
                if key not in self.asked_name_keys
            ]
            self.asked_name_keys.update(name_keys)
            for batch in batches(name_keys, size):
                reference.by_name_key.update(store.customers_by_name_key(batch))
        answers = attrs.evolve(reference, by_id=by_id, by_internal_id=by_internal_id)
        self.answered.append(answers)
        return answers

    def recall(self) -> None:
        """Make the answers so far those the next `ask` starts from."""
        for answers in self.answered:
            self.known_by_internal_id.update(answers.by_internal_id)
            self.known_by_id.update(answers.by_id)
        for internal_ids, ids in self.asked:
            self.asked_internal_ids.update(internal_ids)
            self.asked_ids.update(ids)
        self.answered.clear()
        self.asked.clear()


#: Rows planned at a time while the file is read: about the most whose
#: records stay in the processor's caches from reading to planning.
_CHUNK_ROWS = 1_000


def _rows_per_chunk(batch_size: int) -> int:
    """Whole batches per chunk: the store gets no more calls than the whole
    file's keys would take."""
    return -(-_CHUNK_ROWS // batch_size) * batch_size


def _plan_while_reading(
    source: Source,
    options: _ReadOptions,
    asking: _Asking,
    settings: Settings,
    progress: Progress | None,
) -> Plan | None:
    """Plan the file a chunk of rows at a time as it is read: each chunk's
    keys are asked of the store and its rows planned while their records are
    fresh, and only what the plan keeps of them stays in memory.

    Returns ``None`` when a rule of the whole file applies (see
    `PlanBuilder.add_chunk`): the caller then reads the file again and plans
    it whole.
    """
    size = _rows_per_chunk(asking.batch_size)
    reading = _Reading(source, options, progress)
    planner: PlanBuilder | None = None
    with contextlib.closing(reading.items):
        while True:
            with collector_paused() as pause:
                rows = reading.rows(size)
                pause.only_our_objects = reading.only_our_objects
            if planner is None:
                planner = PlanBuilder(
                    columns=reading.columns,
                    header_row=reading.header_row,
                    sheet=reading.sheet,
                    answers=asking.reference(),
                    names=asking.names,
                    settings=settings,
                )
            if not rows:
                break
            try:
                planned = _plan_chunk(planner, rows, asking)
            except Exception:
                # As when the whole file was read before the store was asked:
                # trouble with the file later on is what the caller hears of.
                reading.skip_rest()
                raise
            if not planned:
                return None
            # Let the chunk go before the next is read.
            del rows
    with collector_paused() as pause:
        plan = planner.finish(reading.problems)
        pause.only_our_objects = True
    if progress is not None:
        read = reading.done()
        progress(read, read)
    return plan


def _plan_chunk(planner: PlanBuilder, rows: list[CustomerRow], asking: _Asking) -> bool:
    """Plan *rows*, the next chunk of the file (False: see `add_chunk`)."""
    with collector_paused() as pause:
        keys = lookups(rows)
        fits = planner.fits(keys)
        pause.only_our_objects = True
    if not fits:
        return False
    answers = asking.ask(keys)
    with collector_paused() as pause:
        planned = planner.add_chunk(rows, keys, answers)
        pause.only_our_objects = True
    return planned


def _plan_read(
    result: ReadResult,
    asking: _Asking,
    settings: Settings,
    progress: Progress | None,
) -> Plan:
    """The plan of a file read whole, with the store *asking* asks."""
    rows = result.rows
    with collector_paused() as pause:
        keys = lookups(rows)
        pause.only_our_objects = True
    answers = asking.ask(keys)
    with collector_paused() as pause:
        planner = PlanBuilder(
            columns=result.columns,
            header_row=result.header_row,
            sheet=result.sheet,
            answers=answers,
            names=asking.names,
            settings=settings,
        )
        planner.add_file(rows, keys)
        plan = planner.finish(result.problems)
        pause.only_our_objects = True
    if progress is not None:
        read = _rows_read(result)
        progress(read, read)
    return plan


def _check_positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, not {value!r}")


def _rows_read(result: ReadResult) -> int:
    last = max(
        [row.row for row in result.rows]
        + [problem.row for problem in result.problems if problem.row is not None],
        default=result.header_row or 0,
    )
    return last - (result.header_row or 1)


def batches(keys: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(keys), size):
        yield keys[start : start + size]
