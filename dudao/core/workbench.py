"""The to-dos of a user's 工作台 (home page). The home page lives in accounts,
below the apps whose matters it lists, so each app registers a provider at
start-up (like the scope resolver): a function of the user returning the
to-dos it owns, each a count that links to the filtered list behind it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Todo:
    label: str
    count: int
    url: str
    # Bootstrap colour of the badge: "danger" for overdue or disputed matters.
    tone: str = "primary"


_providers: list = []


def register(provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def todos_for(user) -> list[Todo]:
    """Every registered app's to-dos for the user, those with nothing to do left out."""
    return [todo for provider in _providers for todo in provider(user) if todo.count]
