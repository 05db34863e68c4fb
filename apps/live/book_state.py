"""What the producer reads from the database each second: sources, positions, the newest account states."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from apps.live.ticks import PositionMark, SourceBook
from apps.sources.choices import SourceKind, SourceStatus
from apps.sources.models import AccountState, Position, Source

# A trader service's own marks count as fresh for this long; after that the source is flagged stale.
FAST_FRESH_S = 2.5


@dataclass(frozen=True, slots=True)
class SourceRow:
    """The parts of a Source the producer needs (a plain value: safe to share with the event loop)."""

    pk: int
    name: str
    kind: str
    is_counted: bool
    status: str
    base_url: str

    @property
    def has_fast_path(self) -> bool:
        return self.kind == SourceKind.TRADER_SERVICE


@dataclass(frozen=True, slots=True)
class DbBook:
    """The stored book of every enabled source, as polling last wrote it."""

    sources: tuple[SourceRow, ...]
    positions: dict[str, tuple[PositionMark, ...]]
    accounts: dict[str, tuple[Decimal, Decimal]]  # source -> (equity, unrealized PnL in it)


def position_mark(position: Position, source_name: str) -> PositionMark:
    return PositionMark(
        source=source_name, strategy=position.strategy, symbol=position.symbol, side=position.side,
        size=position.size, entry_price=position.entry_price, mark_price=position.mark_price,
        unrealized_pnl=position.unrealized_pnl,
    )  # fmt: skip


def db_book_load() -> DbBook:
    """Three indexed queries: enabled non-UCB sources, their positions, each one's newest account state."""
    sources = tuple(
        SourceRow(
            pk=s.pk, name=s.name, kind=s.kind, is_counted=s.is_counted_in_totals, status=s.status, base_url=s.base_url
        )
        for s in Source.objects.filter(is_enabled=True).exclude(kind=SourceKind.UCB).order_by("name")
    )
    names = {row.pk: row.name for row in sources}
    positions: dict[str, list[PositionMark]] = {name: [] for name in names.values()}
    for position in Position.objects.filter(source_id__in=names).order_by("strategy", "symbol"):
        positions[names[position.source_id]].append(position_mark(position, names[position.source_id]))
    newest = AccountState.objects.filter(source=OuterRef("source")).order_by("-minute").values("minute")[:1]
    accounts = {
        names[state.source_id]: (state.equity, state.unrealized_pnl)
        for state in AccountState.objects.filter(source_id__in=names, minute=Subquery(newest))
    }
    return DbBook(sources=sources, positions={k: tuple(v) for k, v in positions.items()}, accounts=accounts)


def books_compose(
    *, db: DbBook, fast: dict[str, tuple[float, tuple[PositionMark, ...]]], now_monotonic: float
) -> list[SourceBook]:
    """Each source's book for this tick: its own fresh marks where it has a fast path, else the stored book.

    A trader whose fast path stopped answering keeps its last known marks (or the stored ones), flagged stale.
    """
    books = []
    for row in db.sources:
        equity, unrealized = db.accounts.get(row.name, (None, None))
        fetched = fast.get(row.name)
        if row.has_fast_path and fetched is not None:
            positions = fetched[1]
            is_stale = now_monotonic - fetched[0] > FAST_FRESH_S
        else:
            positions = db.positions.get(row.name, ())
            is_stale = row.has_fast_path or row.status != SourceStatus.OK
        books.append(SourceBook(name=row.name, is_counted=row.is_counted, positions=positions, equity=equity,
                                unrealized_at_poll=unrealized, is_stale=is_stale))  # fmt: skip
    return books
