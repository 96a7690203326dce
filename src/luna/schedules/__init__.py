"""Schedules: an agent or a chain run unattended, on a cron expression or once."""
