"""The Redis the tests use: ``TEST_REDIS_URL``, else db 0 of the server on 127.0.0.1:6379 (`.ci/run` starts one).

Tests that need it skip, saying why, when it does not answer. Keys the app writes carry a digest of the
database URL, so suites on different databases can share one Redis database.
"""
import functools
import os

import pytest
import redis

DEFAULT_URL = "redis://127.0.0.1:6379/0"


def redis_url():
    return os.environ.get("TEST_REDIS_URL") or DEFAULT_URL


@functools.cache
def unavailable():
    """Why Redis cannot be used (a sentence), or None when it answers."""
    client = redis.Redis.from_url(redis_url(), socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        return f"Redis at {redis_url()} did not answer ({exc}); set TEST_REDIS_URL or start redis-server"
    finally:
        client.close()
    return None


def require_redis():
    """The URL of a Redis that answers; skips the calling test otherwise."""
    if (reason := unavailable()) is not None:
        pytest.skip(reason)
    return redis_url()
