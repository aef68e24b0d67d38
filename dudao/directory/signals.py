"""What the directory announces to the apps above it, which it may not import."""

from django.dispatch import Signal

# Sent inside the transaction after an organisation moved to another
# jurisdiction (kwargs: organization). Apps that store the organisation's
# jurisdiction chain on their own rows (dudao.core.scoping) update them.
organization_moved = Signal()

# Sent inside the transaction after a person's name changed (kwargs: person).
# Apps that keep the name on their own rows, to sort long lists by it from an
# index, update them.
person_renamed = Signal()
