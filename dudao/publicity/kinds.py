"""What a list of each kind publishes and what happens to its items. The apps
whose decisions are published live above publicity, so each registers its
kind at start-up (like core.workbench's providers): the function that makes
an item's status take effect when the period ends with no upheld objection,
and the one that stops it when an objection is upheld. Both run inside the
publicity service's transaction, with the item's row locked."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str  # "<app>.<thing>", stored on every notice: never rename one
    label: object  # a lazy translation: what the list publishes
    take_effect: Callable  # (*, actor, item) -> None
    stop: Callable  # (*, actor, item, reason) -> None
    # The page of the record an item stands for, or "" (a URL the user may not open answers 404 there).
    record_url: Callable = lambda item: ""


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.code] = kind
    return kind


def get(code: str) -> Kind:
    try:
        return _KINDS[code]
    except KeyError:
        raise LookupError(f"No publicity kind {code!r} is registered.") from None


def label(code: str) -> str:
    kind = _KINDS.get(code)
    return str(kind.label) if kind else code


def choices() -> list[tuple[str, str]]:
    return [(code, kind.label) for code, kind in sorted(_KINDS.items())]
