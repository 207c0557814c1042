"""Sizes and limits, defined once: column lengths read from the models, and the server's operational limits.

The operational limits (spreadsheet reading, jobs) default to ``seed/data/server_limits.csv``; an installation
overrides one in ``instance/config.py`` or the environment under its upper-case name, e.g.
``READER_MAX_ROWS = 300000`` or ``EMERGENCY_JOBS_TOTAL=4``.
"""
import functools
import os

from flask import current_app, has_app_context

MAX_ID = 2**31 - 1   # the id columns are 32-bit integers


def text_limit(column):
    """The length of a String column, e.g. ``text_limit(Enterprise.name) == 200``."""
    length = getattr(column.type, "length", None)
    if length is None:
        raise TypeError(f"{column} has no length")
    return length


@functools.cache
def defaults():
    """{key: int} of every operational limit as seed/data/server_limits.csv gives it."""
    from seed.load import read_csv

    return {row["key"]: int(row["value"]) for row in read_csv("server_limits.csv")}


def limit(key):
    """The limit ``key`` (a key of server_limits.csv): the app's config value when set, else the default."""
    value = defaults()[key]
    if has_app_context():
        value = current_app.config.get(key.upper(), value)
    return int(value)


def reader_limits():
    """What the sandboxed spreadsheet reader needs, as plain values a child process can be given."""
    keys = ("reader_max_rows", "reader_max_cols", "reader_memory_mb", "reader_cpu_seconds", "reader_wall_seconds")
    return {key: limit(key) for key in keys}


def lower_priority():
    """Lower this process's CPU priority by ``job_niceness`` (its children inherit it): batch work (a job worker,
    a command-line import) then yields the cores to the web workers when both want them, so pages stay quick
    while a large export or import runs, and the batch work takes the time the pages leave. The PostgreSQL
    backends serving this process follow it (``platform.backend_priority``). Returns the niceness now in force."""
    from emergency.platform.backend_priority import follow

    step = min(max(limit("job_niceness"), 0), 19)
    try:
        niceness = os.nice(step)
    except OSError:           # not allowed here: run at the priority given
        niceness = os.nice(0)
    follow(niceness)          # and, on a PostgreSQL server of this host, the backends serving this process
    return niceness
