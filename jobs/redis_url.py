"""Print the Redis URL the worker and scheduler processes connect with.

The Procfile passes it to `rq worker --url` and `rqscheduler --url`, so those processes connect
exactly as the web app does (`config.redis_url`: REDIS_URL, with REDIS_TLS_VERIFY applied):

    rq worker --url "$(python -m jobs.redis_url)" ...
"""

from config import redis_url

if __name__ == "__main__":
    print(redis_url())
