"""A loopback stand-in for HubSpot's CRM API; see `sandbox.hubspot.standin`."""

from sandbox.hubspot.standin import OBJECT_TYPES, HubSpotError, HubSpotStandIn, ObjectType

__all__ = ["OBJECT_TYPES", "HubSpotError", "HubSpotStandIn", "ObjectType"]
