"""The supervision fixtures (an agency, its internal supervisor, a city pool
supervisor and their engagements) serve the subsidy tests too."""

from tests.supervision.conftest import external_engagement, internal_engagement, supply  # noqa: F401
