"""Lineage: what produced a model version, a model or an endpoint, walked from the records."""
