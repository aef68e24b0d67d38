"""A user's 工作台 (home page): the to-dos, the deadlines and the figures of
each role. The home page lives in accounts, below the apps whose matters it
shows, so each app registers providers at start-up (like the scope resolver):

- to-dos: functions of the user returning `Todo`s, each a count that links to
  the filtered list behind it (the count is the number of rows that list shows);
- deadlines: functions of the user returning `Deadline`s (shown soonest first,
  with the days left);
- figures: functions of the user returning `Figure`s (a number, possibly
  against a target) and `Chart`s (drawn with ECharts).

Every provider answers from selectors in a fixed number of queries, whatever
the number of rows behind it."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone


@dataclass(frozen=True)
class Todo:
    label: str
    count: int
    url: str
    # Bootstrap colour of the badge: "danger" for overdue or disputed matters.
    tone: str = "primary"


@dataclass(frozen=True)
class Deadline:
    label: str
    due: dt.date
    url: str = ""
    # What the deadline is of (a round's title, a cycle's name).
    detail: str = ""

    @property
    def days_left(self) -> int:
        return (self.due - timezone.localdate()).days

    @property
    def tone(self) -> str:
        days = self.days_left
        return "danger" if days <= 3 else "warning" if days <= 14 else "secondary"


@dataclass(frozen=True)
class Figure:
    label: str
    value: object
    url: str = ""
    # A target the value is measured against (a progress bar is drawn when set).
    target: object = None
    # A short note under the figure (a unit, what the target is).
    detail: str = ""

    @property
    def percent(self) -> int | None:
        try:
            target = float(self.target)
            value = float(self.value)
        except (TypeError, ValueError):
            return None
        if target <= 0:
            return None
        return max(0, min(100, round(value * 100 / target)))


@dataclass(frozen=True)
class Chart:
    """A bar (or pie) chart: categories along the axis, one list of numbers per series."""

    key: str
    title: str
    categories: list = field(default_factory=list)
    # [(series name, [numbers, one per category]), ...]
    series: list = field(default_factory=list)
    kind: str = "bar"
    url: str = ""

    def data(self) -> dict:
        return {
            "kind": self.kind,
            "categories": [str(c) for c in self.categories],
            "series": [{"name": str(name), "data": [float(v or 0) for v in values]} for name, values in self.series],
        }


_providers: list = []
_deadline_providers: list = []
_figure_providers: list = []


def _add(registry: list, provider) -> None:
    if provider not in registry:
        registry.append(provider)


def register(provider) -> None:
    """Register a to-do provider."""
    _add(_providers, provider)


def register_deadlines(provider) -> None:
    _add(_deadline_providers, provider)


def register_figures(provider) -> None:
    _add(_figure_providers, provider)


def todos_for(user) -> list[Todo]:
    """Every registered app's to-dos for the user, those with nothing to do left out."""
    return [todo for provider in _providers for todo in provider(user) if todo.count]


def deadlines_for(user) -> list[Deadline]:
    """Deadlines still ahead (today included), soonest first."""
    today = timezone.localdate()
    found = [d for provider in _deadline_providers for d in provider(user) if d.due >= today]
    return sorted(found, key=lambda d: (d.due, str(d.label)))


def figures_for(user) -> tuple[list[Figure], list[Chart]]:
    figures, charts = [], []
    for provider in _figure_providers:
        for item in provider(user):
            (charts if isinstance(item, Chart) else figures).append(item)
    return figures, charts
