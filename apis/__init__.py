"""Vendors' APIs described as data: one folder per system, read by its connector, its fake and the checks.

Each `apis/<system>/api.toml` says how the system's API works on the wire (base URL and auth,
where records sit and how a list continues, create and update verbs and bodies, the id and the
updated-at fields, changed-since filters, conditional writes and idempotency, errors, and which
operations each entity really has), and where a vendor publishes an OpenAPI description,
`apis/<system>/openapi.json` is the fact-only extract `vendor-extract` made from it, whose
schemas say which fields an entity has, their types, and which are read-only.

This package is on the spec side of the house: `generator/` reads it to check each document row
against its vendor, `sync/` to speak and fake the wire. It imports neither.
"""
from .description import ApiDescription, EntityApi, describe, described_systems

__all__ = ["ApiDescription", "EntityApi", "describe", "described_systems"]
