"""What happened in a workspace, written down in the transaction that made it happen.

A domain records an event (a run finished, a chain paused) in the same transaction as the
change itself, so an event exists exactly when its change was committed. Consumers (the
outbound webhooks) read the events that are not published yet and mark them published.
This package knows no domain: it stores a type, a subject and a JSON document.
"""
