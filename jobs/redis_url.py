"""The Redis URL and connection class of the worker and scheduler processes.

They connect exactly as the web app does (`config.redis_url`: REDIS_URL, with REDIS_TLS_VERIFY
applied). The Procfile's worker names the connection class, the scheduler the printed URL:

    rq worker --url $REDIS_URL --connection-class jobs.redis_url.Redis ...
    rqscheduler --url "$(python -m jobs.redis_url)"
"""

import redis

from config import redis_url


class Redis(redis.Redis):
    """redis.Redis whose URLs get the app's TLS setting (for `rq worker --connection-class`)."""

    @classmethod
    def from_url(cls, url, **kwargs):
        return super().from_url(redis_url(url), **kwargs)


if __name__ == "__main__":
    print(redis_url())
