"""Which signing and which filing belong to which contract: the pairing every district's filing rule reads.

A project's history may name the contract of each event (`Event.contract`) or, in old files and
imports, not. The rule, the same in every district:

1. A signing that names a contract is that contract's signing (the first, if several).
2. Unnamed signings, in date order, go to the declared contracts that have no signing yet, in the
   order they are declared; any left over are contracts of their own, numbered "#1", "#2", ...
3. A filing that names a contract is its filing when dated on or after its signing.
4. Unnamed filings, in date order, go to the contract signed earliest among those signed on or
   before the filing's date and not yet filed.
5. A filing dated before its contract's signing (or with no signed contract to pair) is never a
   filing of that contract: it is kept as a stray filing, and the contract stays unfiled, so its
   deadline stays open or missed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from .model import Contract, Event

SIGNED, FILED = "contract_signed", "contract_filed"


@attrs.define(slots=True)
class ContractState:
    """One contract as the history shows it: `id` is its number ("#N" for an unnamed signing that
    matches no declared contract), `contract` its declared record when there is one."""

    id: str
    contract: Contract | None = None
    signed: dt.date | None = None
    filed: dt.date | None = None


@attrs.frozen(slots=True)
class StrayFiling:
    """A filing that is no contract's filing: `contract` is the contract it names or would pair
    with (signed after it), or None when there is none; `signed` that contract's signing date."""

    date: dt.date
    contract: str | None
    signed: dt.date | None


def pair_contracts(contracts: Sequence[Contract], events: Sequence[Event]) -> tuple[list[ContractState], list[StrayFiling]]:
    """The contracts (declared ones first, in order; then those only the history shows) with their
    signing and filing dates, and the filings that belong to none. `events` in date order."""
    states = {c.id: ContractState(c.id, c) for c in contracts}
    _pair_signings(states, *_named_and_unnamed(events, SIGNED))
    strays = _pair_filings(states, *_named_and_unnamed(events, FILED))
    return list(states.values()), strays


def _named_and_unnamed(events: Sequence[Event], kind: str) -> tuple[list[tuple[str, dt.date]], list[dt.date]]:
    """The (contract, date) of the events of `kind` that name their contract, and the dates of those
    that do not, in the order of `events`."""
    of_kind = [e for e in events if e.type == kind]
    return ([(e.contract, e.date) for e in of_kind if e.contract is not None],
            [e.date for e in of_kind if e.contract is None])


def _pair_signings(states: dict[str, ContractState], named: list[tuple[str, dt.date]],
                   unnamed: list[dt.date]) -> None:
    """Rules 1 and 2: `states` gains its signing dates and the contracts only unnamed signings show."""
    for contract, day in named:
        state = states.setdefault(contract, ContractState(contract))
        if state.signed is None:
            state.signed = day
    waiting = [s for s in states.values() if s.signed is None]
    implicit = 0
    for day in unnamed:
        if waiting:
            waiting.pop(0).signed = day
        else:
            implicit += 1
            states[f"#{implicit}"] = ContractState(f"#{implicit}", signed=day)


def _pair_filings(states: dict[str, ContractState], named: list[tuple[str, dt.date]],
                  unnamed: list[dt.date]) -> list[StrayFiling]:
    """Rules 3 to 5: `states` gains its filing dates; returns the filings that belong to no contract."""
    strays: list[StrayFiling] = []
    for contract, day in named:
        found = states.get(contract)
        if found is None or found.signed is None or day < found.signed:
            strays.append(StrayFiling(day, contract, found.signed if found else None))
        elif found.filed is None:
            found.filed = day
    for day in unnamed:
        candidates = [s for s in states.values() if s.filed is None and s.signed is not None and s.signed <= day]
        if candidates:
            min(candidates, key=lambda s: s.signed).filed = day  # type: ignore[arg-type, return-value]
            continue
        later = [s for s in states.values() if s.filed is None and s.signed is not None]
        first = min(later, key=lambda s: s.signed, default=None)  # type: ignore[arg-type, return-value]
        strays.append(StrayFiling(day, first.id if first else None, first.signed if first else None))
    return strays


def pair_follow_ups(triggers: Sequence[Event], follow_ups: Sequence[Event]) -> list[tuple[Event, Event | None]]:
    """Each trigger (in date order) with its follow-up: the first one on or after it that names the same
    contract and phase; else the first one on or after it that names neither, not yet taken. One
    follow-up serves one trigger, so two phases accepted never share one archive."""
    taken: set[int] = set()
    pairs: list[tuple[Event, Event | None]] = []
    for trigger in sorted(triggers, key=lambda e: e.date):
        def free(e: Event, trigger: Event = trigger) -> bool:
            return id(e) not in taken and e.date >= trigger.date

        found = next((e for e in follow_ups if free(e) and (e.contract, e.phase) == (trigger.contract, trigger.phase)
                      and (e.contract or e.phase)), None)
        if found is None:
            found = next((e for e in follow_ups if free(e) and e.contract is None and e.phase is None), None)
        if found is not None:
            taken.add(id(found))
        pairs.append((trigger, found))
    return pairs
