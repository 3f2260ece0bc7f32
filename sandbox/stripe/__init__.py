"""A loopback stand-in for Stripe's REST API; see `sandbox.stripe.standin`."""

from sandbox.stripe.resources import RESOURCES, Resource
from sandbox.stripe.standin import AccountStore, StripeError, StripeStandIn

__all__ = ["RESOURCES", "AccountStore", "Resource", "StripeError", "StripeStandIn"]
