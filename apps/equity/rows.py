"""Read history rows from a CSV file or JSON, naming every bad row by its line (plain Python, no Django).

CSV: a header with timestamp, source, equity and optionally realized, unrealized; one row per observation.
An empty source means the whole fund. Timestamps are ISO-8601 with a zone; money is a decimal number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from apps.equity.series import floor_hour

FUND = ""  # the source name of a whole-fund row
REQUIRED_COLUMNS = ("timestamp", "source", "equity")
COLUMN_ALIASES = {"realized_pnl": "realized", "unrealized_pnl": "unrealized", "time": "timestamp"}
QUANTUM = Decimal("1e-10")  # the database keeps 10 decimals: round here, or a re-import would differ
MAX_INTEGER_DIGITS = 18  # 28 digits in all, 10 of them decimals
FUTURE_SLACK = timedelta(hours=1)
_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One valid observation: a source's (or the fund's) money at a moment."""

    line: int
    source: str
    observed_at: datetime
    equity: Decimal
    realized_pnl: Decimal | None = None
    unrealized_pnl: Decimal | None = None
    bucket: datetime = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bucket", floor_hour(self.observed_at))


@dataclass(frozen=True, slots=True)
class RowError:
    """Why a line was refused."""

    line: int
    message: str


@dataclass
class ParsedRows:
    """The valid rows and the refused lines of one input."""

    rows: list[HistoryRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.errors)


class RowProblem(ValueError):
    """A value of a row is wrong; the message says which and why."""


def parse_money(value: Any, *, name: str, required: bool) -> Decimal | None:
    """A finite decimal rounded to the stored 10 places; never through float."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RowProblem(f"{name} is missing")
        return None
    if isinstance(value, bool) or isinstance(value, float):
        raise RowProblem(f"{name} {value!r} must be a decimal string or an integer, not a float")
    text = str(value).strip()
    if not _DECIMAL_TEXT.fullmatch(text):
        raise RowProblem(f"{name} {text!r} is not a decimal number")
    try:
        number = Decimal(text).quantize(QUANTUM)
    except InvalidOperation:
        raise RowProblem(f"{name} {text!r} is too large")
    if number.adjusted() >= MAX_INTEGER_DIGITS:
        raise RowProblem(f"{name} {text!r} is too large")
    return number


def parse_timestamp(value: Any, *, now: datetime) -> datetime:
    """An aware UTC datetime from ISO-8601 with a zone, not in the future."""
    text = str(value).strip() if value is not None else ""
    if not text:
        raise RowProblem("timestamp is missing")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RowProblem(f"timestamp {text!r} is not ISO-8601")
    if moment.utcoffset() is None:
        raise RowProblem(f"timestamp {text!r} has no time zone (add Z for UTC)")
    moment = moment.astimezone(UTC)
    if moment > now + FUTURE_SLACK:
        raise RowProblem(f"timestamp {text!r} is in the future")
    return moment


def parse_row(values: Mapping[str, Any], *, line: int, sources: Collection[str], now: datetime) -> HistoryRow:
    """One row from a mapping with timestamp, source, equity, realized, unrealized."""
    source = values.get("source")
    source = "" if source is None else str(source).strip()
    if source != FUND and source not in sources:
        raise RowProblem(f"unknown source {source!r}")
    equity = parse_money(values.get("equity"), name="equity", required=True)
    if equity < 0:
        raise RowProblem(f"equity {equity.normalize()} is negative")
    return HistoryRow(
        line=line, source=source, observed_at=parse_timestamp(values.get("timestamp"), now=now), equity=equity,
        realized_pnl=parse_money(values.get("realized"), name="realized", required=False),
        unrealized_pnl=parse_money(values.get("unrealized"), name="unrealized", required=False),
    )  # fmt: skip


def _collect(items: Iterable[tuple[int, Any]], parse: Callable[[int, Any], HistoryRow]) -> ParsedRows:
    parsed = ParsedRows()
    for line, item in items:
        try:
            parsed.rows.append(parse(line, item))
        except RowProblem as problem:
            parsed.errors.append(RowError(line, str(problem)))
    return parsed


def _header(reader: Any) -> list[str] | RowError:
    try:
        names = next(reader)
    except StopIteration:
        return RowError(1, "the file is empty; expected a header: timestamp,source,equity,realized,unrealized")
    header = [COLUMN_ALIASES.get(name.strip().lower(), name.strip().lower()) for name in names]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return RowError(1, f"the header lacks {', '.join(missing)}; expected timestamp,source,equity"
                           ",realized,unrealized")  # fmt: skip
    return header


def parse_csv(text: str, *, sources: Collection[str], now: datetime) -> ParsedRows:
    """Rows of a CSV text; line numbers count the header as line 1, as a spreadsheet does."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = _header(reader)
    if isinstance(header, RowError):
        return ParsedRows(errors=[header])

    def items() -> Iterable[tuple[int, Any]]:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield reader.line_num, cells

    def parse(line: int, cells: list[str]) -> HistoryRow:
        if len(cells) != len(header):
            raise RowProblem(f"expected {len(header)} columns, found {len(cells)}")
        return parse_row(dict(zip(header, cells, strict=True)), line=line, sources=sources, now=now)

    try:
        return _collect(items(), parse)
    except csv.Error as error:
        return ParsedRows(errors=[RowError(reader.line_num, f"not a CSV file: {error}")])


def parse_json_rows(items: Any, *, sources: Collection[str], now: datetime) -> ParsedRows:
    """Rows of a JSON array of objects; "line" is the row's 1-based position in the array."""
    if not isinstance(items, list):
        return ParsedRows(errors=[RowError(0, "rows must be a JSON array of objects")])

    def parse(line: int, item: Any) -> HistoryRow:
        if not isinstance(item, dict):
            raise RowProblem("a row must be a JSON object")
        item = {COLUMN_ALIASES.get(key, key): value for key, value in item.items()}
        return parse_row(item, line=line, sources=sources, now=now)

    return _collect(enumerate(items, start=1), parse)


def latest_per_bucket(rows: Iterable[HistoryRow]) -> list[HistoryRow]:
    """One row per (source, hour): the latest observation of the hour, the later line on a tie."""
    chosen: dict[tuple[str, datetime], HistoryRow] = {}
    for row in rows:
        key = (row.source, row.bucket)
        held = chosen.get(key)
        if held is None or (row.observed_at, row.line) >= (held.observed_at, held.line):
            chosen[key] = row
    return sorted(chosen.values(), key=lambda row: (row.source, row.bucket))
