"""Outbound webhooks: a workspace's endpoints, told of its runs, chain runs and schedules.

Deliveries follow the Standard Webhooks specification (``webhook-id``,
``webhook-timestamp``, ``webhook-signature``), are durable jobs retried with exponential
backoff, and are kept with every attempt. Events come from the outbox of
:mod:`luna.events`, which the domains write in the transactions of their changes.
"""
