"""Reads of the subsidies app, each limited to what the user's scope allows."""
