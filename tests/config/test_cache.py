"""The Redis cache backend (config/cache.py): one client per pool, and still a working cache."""

from __future__ import annotations

import uuid

from django.core.cache import cache


def test_one_client_serves_every_call_and_values_round_trip():
    key = f"test-cache-{uuid.uuid4().hex}"
    cache.set(key, {"claims": [1, 2]}, 30)

    assert cache.get(key) == {"claims": [1, 2]}
    assert cache.add(key + "-n", 1, 30)
    assert cache.incr(key + "-n") == 2
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.delete_many([key, key + "-n"])
    assert cache.get(key) is None
