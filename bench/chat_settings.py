"""Settings for chat_load.py's servers: the test settings, shared by both processes.

Both uvicorn processes must sign sessions with the parent's key and meet on one
channel-layer prefix; they keep their database connection (as production does) rather
than opening one per message.
"""

import os

from config.settings.test import *  # noqa: F403

SECRET_KEY = os.environ["BEACON_BENCH_SECRET_KEY"]
CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = os.environ["BEACON_BENCH_PREFIX"]  # noqa: F405
CHANNEL_LAYERS["default"]["CONFIG"]["capacity"] = 1000  # noqa: F405  (5,000 sockets per process)
DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
if os.environ.get("BEACON_BENCH_CHANNEL_LAYER") == "pubsub":
    # chat_load.py --channel-layer pubsub: Redis pub/sub (a PUBLISH per group send, pushed
    # to the subscribers) instead of the lists the settings' layer polls; to compare.
    CHANNEL_LAYERS["default"]["BACKEND"] = "channels_redis.pubsub.RedisPubSubChannelLayer"  # noqa: F405
if os.environ.get("BEACON_BENCH_REDIS_MAX_CONNECTIONS"):
    # chat_load.py --redis-max-connections: the layer's connection pool per process
    # (redis-py 8's asyncio pool refuses a 101st connection with MaxConnectionsError).
    for host in CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]:  # noqa: F405
        host["max_connections"] = int(os.environ["BEACON_BENCH_REDIS_MAX_CONNECTIONS"])
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
