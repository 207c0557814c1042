"""Batch work's database work at the batch priority.

``limits.lower_priority`` lowers a batch process's CPU priority (a job worker, a figures child, a command-line
import), but on PostgreSQL much of its work runs in the server process serving its connection (the export's
sorted list, an import's inserts), at the server's normal priority, beside the pages' own queries. When the server
runs on this host and this process may change that backend's priority (same user, or root), each connection the
batch process checks out gets its backend lowered to the process's own niceness. Otherwise (a server on another
host, in a container, or owned by another user) nothing changes and the batch work's queries run as before.
"""
import os
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.pool import Pool

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
_followed = {"niceness": None}


def follow(niceness):
    """From now on, lower the backend of each PostgreSQL connection this process checks out to ``niceness``."""
    _followed["niceness"] = niceness
    if niceness > 0 and not event.contains(Pool, "checkout", _on_checkout):
        event.listen(Pool, "checkout", _on_checkout)


def _on_checkout(dbapi_connection, record, proxy):
    niceness = _followed["niceness"]
    if not niceness or record.info.get("backend_niceness") == niceness:
        return
    record.info["backend_niceness"] = niceness      # tried once per connection, whatever the outcome
    info = getattr(dbapi_connection, "info", None)
    if not type(dbapi_connection).__module__.startswith("psycopg") or info is None:
        return
    host = info.host or ""
    if host in LOCAL_HOSTS or host.startswith("/"):
        lower_backend(info.backend_pid, niceness)


def lower_backend(pid, niceness):
    """Lower process ``pid`` to ``niceness`` when it is a PostgreSQL process of this host that this process may
    renice; True when it now runs at least that low."""
    try:
        # A pid from another host or a container's namespace would name an unrelated process here.
        if not Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"postgres"):
            return False
        if os.getpriority(os.PRIO_PROCESS, pid) < niceness:
            os.setpriority(os.PRIO_PROCESS, pid, niceness)
        return True
    except OSError:     # gone, or another user's process: its priority stays
        return False
