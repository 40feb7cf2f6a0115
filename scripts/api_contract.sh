#!/usr/bin/env bash
# Check the running app against its own OpenAPI document with schemathesis: gunicorn on
# 127.0.0.1 in production mode, a fresh PostgreSQL database (dropped afterwards), a Redis
# database of its own, and a growth-plan user whose API token authenticates every request.
# Every /api/v1 route is exercised with valid and invalid inputs: no answer may be a 5xx, and
# every answer must be documented for its route with its status, headers, content type and schema.
#
#   bash scripts/api_contract.sh            # needs PostgreSQL on 127.0.0.1:5432 and Redis
#
# API_CONTRACT_EXAMPLES (default 25) caps the generated cases per operation and phase;
# API_CONTRACT_PORT (8765) and API_CONTRACT_REDIS_URL (redis://127.0.0.1:6379/12) move it.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${API_CONTRACT_PORT:-8765}
examples=${API_CONTRACT_EXAMPLES:-25}
pg=${API_CONTRACT_PG:-postgresql://postgres@127.0.0.1:5432}
db="ingestio_api_contract_$$"
work=$(mktemp -d)
server_pid=""

cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  psql "$pg/postgres" -q -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

export APP_ENV=production
export FLASK_APP=wsgi
export SECRET_KEY="api-contract-$$"
export DATABASE_URL="$pg/$db"
export REDIS_URL=${API_CONTRACT_REDIS_URL:-redis://127.0.0.1:6379/12}
export STORAGE_URL="file://$work/uploads"
export EXTRACTION_PROVIDER=local
export LOG_JSON=0
export LOG_LEVEL=WARNING
# The generated traffic is far above a person's: the general limits must not hide the routes.
export RATELIMIT_API="100000 per minute"
export RATELIMIT_STATUS="100000 per minute"
export PLAN_GROWTH_CREATIONS_PER_HOUR=100000
export PLAN_GROWTH_PAGES_PER_MONTH=1000000

psql "$pg/postgres" -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
redis-cli -u "$REDIS_URL" flushdb >/dev/null
.venv/bin/flask db upgrade >/dev/null 2>&1
.venv/bin/flask users create contract@example.com --password "contract-$$-password" \
  --plan growth >/dev/null
token=$(.venv/bin/flask tokens create contract@example.com | tail -n 1)

PORT=$port WEB_CONCURRENCY=2 GUNICORN_THREADS=4 .venv/bin/gunicorn -c gunicorn.conf.py \
  --bind "127.0.0.1:$port" wsgi:app >"$work/gunicorn.log" 2>&1 &
server_pid=$!
.venv/bin/python - "http://127.0.0.1:$port/api/v1/openapi.json" <<'PY'
import sys
import time
import urllib.request

for _ in range(120):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=5).read()
        break
    except OSError:
        time.sleep(0.5)
PY

# Real rows for the routes that take an id: a finished batch, document and question batch (a
# worker drains the queues once), and a batch left queued. Half of the ids tried are these.
base="http://127.0.0.1:$port"
eval "$(.venv/bin/python scripts/api_contract_seed.py "$base" "$token")"
.venv/bin/rq worker --burst --url "$REDIS_URL" --connection-class jobs.redis_url.Redis \
  --worker-class jobs.worker.DocumentWorker documents default >"$work/worker.log" 2>&1
echo "jobs done by the worker: $(grep -c "Job OK" "$work/worker.log" || true)"
eval "$(.venv/bin/python scripts/api_contract_seed.py "$base" "$token" --queued)"
config="$work/schemathesis.toml"
cp scripts/api_contract.toml "$config"
cat >>"$config" <<TOML

[dictionaries.batch_ids]
values = ["$batch_id", "$queued_batch_id"]
[dictionaries.document_ids]
values = ["$document_id"]
[dictionaries.question_batch_ids]
values = ["$question_batch_id"]

[[operations]]
include-path-regex = "^/api/v1/batches/"
parameters = { "path.batch_id" = { dictionary = "batch_ids", probability = 0.5 } }
[[operations]]
include-path-regex = "^/api/v1/documents/"
parameters = { "path.document_id" = { dictionary = "document_ids", probability = 0.5 } }
[[operations]]
include-path-regex = "^/api/v1/question-batches/"
parameters = { "path.batch_id" = { dictionary = "question_batch_ids", probability = 0.5 } }
TOML

# Every check runs but the ones scripts/api_contract.toml turns off, for the reasons it gives.
status=0
.venv/bin/schemathesis --no-color --config-file "$config" run \
  "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --max-examples "$examples" | tee "$work/schemathesis.txt" || status=$?

if grep -Eq '" 5[0-9][0-9] |Traceback' "$work/gunicorn.log"; then
  echo "The server logged errors:" >&2
  tail -n 80 "$work/gunicorn.log" >&2
  status=1
fi
# The case count, as a closing line: "api-contract: <cases passed> passed, <failures> failed".
.venv/bin/python - "$work/schemathesis.txt" "$status" <<'PY'
import re
import sys

text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
generated = re.search(r"(\d+) generated", text)
failures = re.search(r"(\d+) unique failures?", text)
total = int(generated.group(1)) if generated else 0
failed = int(failures.group(1)) if failures else (0 if sys.argv[2] == "0" else 1)
print(f"api-contract: {total - failed} passed, {failed} failed")
PY
exit "$status"
