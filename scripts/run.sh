#!/usr/bin/env bash
# Start IngestIO locally: Redis (a private one if none answers), migrations, a demo user,
# then web, worker and scheduler together. Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."

export APP_ENV=${APP_ENV:-development}
export FLASK_APP=wsgi
export PORT=${PORT:-5000}

# A second `make run` (or anything else on the port) stops here, before anything is started.
if python -c "import socket,sys; s=socket.socket(); s.settimeout(0.5); sys.exit(s.connect_ex(('127.0.0.1', int(sys.argv[1]))) != 0)" "$PORT"; then
  echo "Port $PORT is in use: stop what runs there, or start on another port: PORT=5001 make run" >&2
  exit 1
fi
mkdir -p instance

redis_answers() {
  python -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()" "$1" \
    >/dev/null 2>&1
}

PRIVATE_REDIS_PID=""
cleanup() {
  if [[ -n $PRIVATE_REDIS_PID ]]; then kill "$PRIVATE_REDIS_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

export REDIS_URL=${REDIS_URL:-redis://localhost:6379/0}
if ! redis_answers "$REDIS_URL"; then
  if command -v redis-server >/dev/null 2>&1; then
    port=${PRIVATE_REDIS_PORT:-6390}
    mkdir -p instance/redis
    echo "No Redis answers at $REDIS_URL; starting a private redis-server on port $port (instance/redis)."
    redis-server --port "$port" --bind 127.0.0.1 --dir "$PWD/instance/redis" --save "" \
      --appendonly no --logfile "$PWD/instance/redis/redis.log" &
    PRIVATE_REDIS_PID=$!
    export REDIS_URL="redis://127.0.0.1:$port/0"
    for _ in $(seq 1 50); do redis_answers "$REDIS_URL" && break; sleep 0.1; done
  else
    echo "IngestIO needs Redis. Set REDIS_URL to a running Redis, or install one:" >&2
    echo "  Debian/Ubuntu: sudo apt-get install redis-server    macOS: brew install redis" >&2
    exit 1
  fi
fi
export RATELIMIT_STORAGE_URI=${RATELIMIT_STORAGE_URI:-$REDIS_URL}

flask db upgrade
flask schedule register || echo "(periodic jobs not registered)"

DEMO_EMAIL=${DEMO_EMAIL:-demo@ingestio.local}
DEMO_PASSWORD=${DEMO_PASSWORD:-demo-password}
if flask users create "$DEMO_EMAIL" --password "$DEMO_PASSWORD" --plan growth >/dev/null 2>&1; then
  echo "Created the demo user."
else
  flask set-plan "$DEMO_EMAIL" growth >/dev/null
fi
# One demo token at a time: each start revokes the previous start's token.
DEMO_TOKEN=$(flask tokens create "$DEMO_EMAIL" --name "make run" --replace | tail -n 1)

cat <<MSG

  IngestIO is starting at http://127.0.0.1:$PORT
  Log in as $DEMO_EMAIL / $DEMO_PASSWORD (growth plan)
  API token: $DEMO_TOKEN
    curl -H "Authorization: Bearer $DEMO_TOKEN" http://127.0.0.1:$PORT/api/v1/usage
  Ctrl-C stops web, worker and scheduler.

MSG
honcho start -f Procfile.dev
