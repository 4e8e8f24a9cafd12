"""Django's Redis cache, with one redis-py client per connection pool instead of one per cache call.

Django builds a `redis.Redis` for every get/set; redis-py 7 fills ~500 response callbacks in each, ~0.1 ms a
time, and an API request makes several cache calls (the rate limit's read and write). The
client holds no state of its own beyond its pool, and the pool is safe across threads and forks.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        if (client := clients.get(id(pool))) is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
