"""Notifications: email templates and their delivery through an outbox."""
