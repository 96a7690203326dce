"""Plans and the entitlement engine.

This folder imports no domain: the domain that owns the rows an entitlement counts
(agents, workspaces, seats) counts them and hands the count to
:func:`luna.plans.entitlements.check_entitlement`, inside the transaction of the action
it guards. Payments (``billing/``) decide which plan a team is on; plans say what that
plan allows.
"""
