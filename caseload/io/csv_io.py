"""Import and export files: CSV (one per kind) and JSON (every kind), parsed into frozen rows.

Reading never touches the database: it decodes the file (UTF-8, with or without a byte-order
mark; Excel-style quoting, so a quoted cell may hold commas, quotes and line breaks), checks the
header, parses every cell with `caseload.io.columns`, and finds rows that repeat a natural key
within the file. Every problem is kept, never just the first, as a `Problem` whose text is
stable::

    appointments.csv:7: outcome: unknown outcome: 'showed'; use scheduled, kept, … or rescheduled.

`line` is the physical line where the row starts (the header is line 1); in a JSON file it is
the row's position in its table, counted from 1, and the source names the table
("export.json:clients"). The services decide what the rows mean for the database
(`caseload.services.importing`).

Writing produces exactly the columns the reader reads, so an export reads back unchanged.
CSV files are written with a byte-order mark, which Excel needs to show accented names, and
free-text cells that a spreadsheet would run as a formula are prefixed with ' (undone on import).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from caseload.domain.text import printable
from caseload.io import cells
from caseload.io.cells import CellError, Context
from caseload.io.columns import SPECS, Column, KindSpec
from caseload.io.rows import KINDS, ExportData

FORMAT_NAME = "caseload-export"
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a file cannot be imported, at a line and column (column "" for the file)."""

    source: str
    line: int
    column: str
    reason: str
    detail: str

    def __str__(self) -> str:
        # A column is named as the file's header names it: a quoted header can hold a line
        # break or an escape code, which a one-line message must not carry as it is.
        column = printable(self.column)
        where = f"{self.source}:{self.line}: " + (f"{column}: " if column else "")
        return f"{where}{self.reason}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Parsed:
    """A row that parsed cleanly, with the line it came from."""

    line: int
    record: Any


@dataclass(frozen=True, slots=True)
class Table:
    """One kind read from one file: the good rows, every problem, and the columns it had."""

    kind: str
    source: str
    columns: frozenset[str]
    rows: tuple[Parsed, ...]
    problems: tuple[Problem, ...]
    ignored: tuple[str, ...] = ()
    row_count: int = 0

    @property
    def bad_lines(self) -> int:
        return len({p.line for p in self.problems})


def spec(kind: str) -> KindSpec:
    """The spec of a kind, or a clear error naming the kinds there are."""
    try:
        return SPECS[kind]
    except KeyError:
        raise ValueError(f"Unknown kind '{kind}'; use {', '.join(KINDS)}.") from None


# ---------------------------------------------------------------- reading


def _parse_row(kind: KindSpec, present: frozenset[str], cells_by_name: dict[str, str],
               ctx: Context, defaults: dict[str, Any]) -> tuple[Any, list[tuple[str, str, str]]]:
    """Parse one row's cells into a record, or return the problems (column, reason, detail)."""
    values: dict[str, Any] = {}
    issues: list[tuple[str, str, str]] = []
    for column in kind.columns:
        text = cells_by_name.get(column.name, "").strip() if column.name in present else ""
        if not text:
            if column.required:
                issues.append((column.name, "missing value", f"{column.name} is required."))
            elif column.field in defaults:
                values[column.field] = defaults[column.field]
            else:
                values[column.field] = None
            continue
        try:
            values[column.field] = column.parse(text, ctx)
        except CellError as exc:
            issues.append((column.name, exc.reason, exc.detail))
    issues.extend(kind.finish(values, ctx))
    if issues:
        return None, issues
    return kind.record(**values), []


def _table(kind: KindSpec, source: str, header: Sequence[str],
           rows: Iterable[tuple[int, dict[str, str]]], ctx: Context,
           header_line: int = 1) -> Table:
    """Parse rows of one kind, given the header, and find repeated natural keys."""
    names = set(kind.names)
    present = frozenset(h for h in header if h in names)
    ignored = tuple(h for h in header if h not in names)
    problems = [Problem(source, header_line, name, "missing column",
                        f"the file needs the columns {', '.join(kind.required)}.")
                for name in kind.required if name not in present]
    if problems:
        return Table(kind.name, source, present, (), tuple(problems), ignored)
    parsed: list[Parsed] = []
    first_line: dict[tuple[Any, ...], int] = {}
    count = 0
    defaults = kind.defaults()
    for line, row in rows:
        count += 1
        record, issues = _parse_row(kind, present, row, ctx, defaults)
        problems.extend(Problem(source, line, c, r, d) for c, r, d in issues)
        if record is None:
            continue
        key = kind.key(record)
        if key in first_line:
            problems.append(Problem(source, line, kind.key_column, "duplicate",
                                    f"{kind.describe(record)} is also on line "
                                    f"{first_line[key]}."))
            continue
        first_line[key] = line
        parsed.append(Parsed(line, record))
    return Table(kind.name, source, present, tuple(parsed), tuple(problems), ignored, count)


def _decode(data: bytes, source: str) -> tuple[str | None, Problem | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        return None, Problem(source, line, "", "bad encoding",
                             f"byte 0x{byte:02x} is not UTF-8; save the file as "
                             "\"CSV UTF-8\" (Excel) or UTF-8 (other programs).")


def _csv_rows(reader: Any, header: list[str], source: str, protected: set[str],
              problems: list[Problem]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (first line, cells) per data row of a csv.reader; rows of the wrong width and
    blank rows are left out (the first become problems)."""
    width = len(header)
    line_after = reader.line_num
    for row in reader:
        start, line_after = line_after + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > width and not any(cell.strip() for cell in row[width:]):
            row = row[:width]  # trailing empty cells, as some spreadsheets write them
        if len(row) != width:
            problems.append(Problem(source, start, "", "wrong number of fields",
                                    f"expected {width} fields like the header, got {len(row)}."))
            continue
        yield start, {name: cells.unprotect(cell) if name in protected else cell
                      for name, cell in zip(header, row, strict=True)}


def read_csv_bytes(data: bytes, kind: str, source: str, ctx: Context) -> Table:
    """Read one kind from the bytes of a CSV file named `source` (for messages)."""
    k = spec(kind)
    text, problem = _decode(data, source)
    if text is None:
        assert problem is not None
        return Table(k.name, source, frozenset(), (), (problem,))
    reader = csv.reader(io.StringIO(text, newline=""), dialect="excel")
    header_line = 0
    header: list[str] = []
    try:
        for row in reader:
            header_line = reader.line_num
            if any(cell.strip() for cell in row):
                header = [cell.strip().lower() for cell in row]
                break
        if not header:
            return Table(k.name, source, frozenset(), (),
                         (Problem(source, 1, "", "empty file", "there is no header row."),))
        repeated = sorted({h for h in header if header.count(h) > 1})
        if repeated:
            return Table(k.name, source, frozenset(), (), tuple(
                Problem(source, header_line, h, "duplicate column",
                        "the header names this column twice.") for h in repeated))
        extra: list[Problem] = []
        protected = {c.name for c in k.columns if c.kind == "text"}
        rows = _csv_rows(reader, header, source, protected, extra)
        table = _table(k, source, header, rows, ctx, header_line)
    except csv.Error as exc:
        return Table(k.name, source, frozenset(), (), (Problem(
            source, reader.line_num, "", "bad quoting", f"{exc}; check the quotes on this line."),))
    if not extra:
        return table
    problems = tuple(sorted((*table.problems, *extra), key=lambda p: p.line))
    return Table(table.kind, table.source, table.columns, table.rows, problems, table.ignored,
                 table.row_count + len(extra))


def read_csv(path: Path, kind: str, ctx: Context) -> Table:
    """Read one kind from a CSV file."""
    return read_csv_bytes(path.read_bytes(), kind, path.name, ctx)


def read_folder(folder: Path, ctx: Context) -> list[Table]:
    """Read every `<kind>.csv` present in a folder written by `export csv`, in import order."""
    return [read_csv(folder / f"{kind}.csv", kind, ctx) for kind in KINDS
            if (folder / f"{kind}.csv").is_file()]


def _json_cell(value: Any) -> str:
    """A JSON value as the cell text the column parsers read."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return cells.show_number(value) if isinstance(value, float) else str(value)
    if isinstance(value, list) and all(isinstance(v, int | float) and not isinstance(v, bool)
                                       for v in value):
        return " ".join(_json_cell(v) for v in value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_json_bytes(data: bytes, source: str, ctx: Context,
                    kinds: Sequence[str] = KINDS) -> list[Table]:
    """Read the tables of `kinds` present in an `export json` document."""
    text, problem = _decode(data, source)
    if text is None:
        assert problem is not None
        return [Table(kinds[0], source, frozenset(), (), (problem,))]
    try:
        document = json.loads(text)
    except RecursionError:  # brackets nested thousands deep: no export looks like that
        return [Table(kinds[0], source, frozenset(), (), (Problem(
            source, 1, "", "bad JSON", "nested too deeply; expected an export."),))]
    except ValueError as exc:
        line = getattr(exc, "lineno", 1)
        return [Table(kinds[0], source, frozenset(), (),
                      (Problem(source, line, "", "bad JSON", f"{exc}."),))]
    if not isinstance(document, dict):
        return [Table(kinds[0], source, frozenset(), (), (Problem(
            source, 1, "", "bad JSON", "expected an object with one list per kind."),))]
    tables = []
    for kind in kinds:
        records = document.get(kind)
        if records is None:
            continue
        where = f"{source}:{kind}"
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            tables.append(Table(kind, where, frozenset(), (), (Problem(
                where, 1, "", "bad JSON", f"{kind} must be a list of objects."),)))
            continue
        if not records:  # an export writes every kind, empty ones as []
            tables.append(Table(kind, where, frozenset(spec(kind).names), (), ()))
            continue
        header = list(dict.fromkeys(str(k).strip().lower() for r in records for k in r))
        rows = ((n, {str(k).strip().lower(): _json_cell(v) for k, v in r.items()})
                for n, r in enumerate(records, start=1))
        tables.append(_table(spec(kind), where, header, rows, ctx))
    return tables


def read_json(path: Path, ctx: Context, kinds: Sequence[str] = KINDS) -> list[Table]:
    """Read tables from an `export json` file."""
    return read_json_bytes(path.read_bytes(), path.name, ctx, kinds)


# ---------------------------------------------------------------- writing


def _cell(column: Column, record: Any) -> str:
    text = cells.show_value(getattr(record, column.field))
    return cells.protect(text) if column.kind == "text" and text else text


def write_csv(kind: str, records: Iterable[Any], stream: TextIO) -> int:
    """Write records of one kind as CSV (header first); return how many rows were written."""
    k = spec(kind)
    writer = csv.writer(stream, dialect="excel", lineterminator="\n")
    writer.writerow(k.names)
    count = 0
    for record in records:
        writer.writerow([_cell(c, record) for c in k.columns])
        count += 1
    return count


def csv_text(kind: str, records: Iterable[Any]) -> str:
    """The CSV of one kind as a string (without the byte-order mark)."""
    out = io.StringIO()
    write_csv(kind, records, out)
    return out.getvalue()


def _json_value(column: Column, record: Any) -> Any:
    value = getattr(record, column.field)
    if value is None or (column.kind in ("bool", "int") and isinstance(value, bool | int)):
        return value
    if column.kind == "items":
        return [cells.json_number(v) for v in value]
    if column.kind == "history":
        return cells.history_list(value)
    return cells.show_value(value)


def json_rows(kind: str, records: Iterable[Any]) -> list[dict[str, Any]]:
    """Records of one kind as JSON objects with the importer's column names."""
    k = spec(kind)
    return [{c.name: _json_value(c, r) for c in k.columns} for r in records]


def to_json(data: ExportData) -> str:
    """Every kind as one JSON document that `read_json` reads back."""
    document: dict[str, Any] = {
        "format": FORMAT_NAME, "version": FORMAT_VERSION,
        "exported_at": cells.show_datetime(data.exported_at), "timezone": data.timezone,
    }
    for kind in KINDS:
        document[kind] = json_rows(kind, data.rows(kind))
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"
