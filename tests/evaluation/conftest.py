"""Evaluation tests use the supervision fixtures (the pools' supervisors and their engagements)."""

from tests.supervision.conftest import external_engagement, internal_engagement, supply  # noqa: F401
