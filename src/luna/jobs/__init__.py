"""Durable work for every domain: the DBOS engine, its queues and schedules, and the
leases by which live workers recognise the work of workers that are gone.

This package knows no domain. Domains declare their workflows, queues
(:class:`~luna.jobs.engine.QueueSpec`) and schedules (:class:`~luna.jobs.engine.ScheduleSpec`);
the composition roots (``worker.py``) hand them to :class:`~luna.jobs.engine.JobEngine`.
"""
