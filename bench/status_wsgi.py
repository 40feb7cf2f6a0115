"""The app as `gunicorn wsgi:app` serves it, plus two routes for bench/status.py only.

GET /bench/static answers a fixed JSON dict: no database, no authentication, no rate limit. It is
the baseline the status endpoint is compared with in the same run on the same server.

GET /bench/status/<id> runs the status endpoint's database work on every request, bypassing the
status cache (the tag query, then the documents query and the JSON unless If-None-Match
matches), without authentication: what a poll costs when the cache cannot answer.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Response, abort, jsonify, request  # noqa: E402

from app import create_app  # noqa: E402
from app.api.status import status_body  # noqa: E402
from app.services import batch_queries  # noqa: E402

STATIC = {
    "id": "00000000-0000-0000-0000-000000000000",
    "name": "static",
    "status": "processing",
    "document_count": 200,
    "completed_count": 120,
    "failed_count": 3,
    "cancelled_count": 0,
    "progress": 61,
}

app = create_app()


@app.get("/bench/static")
def bench_static():
    """A fixed JSON answer."""
    resp = jsonify(STATIC)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@app.get("/bench/status/<batch_id>")
def bench_status(batch_id):
    """The status endpoint's work for any batch, with no user."""
    probe = batch_queries.status_probe(batch_id, any_owner=True)
    if probe is None:
        abort(404)
    if request.if_none_match.contains_weak(probe.etag.strip('"')):
        resp = Response(status=304)
    else:
        resp = Response(status_body(probe), mimetype="application/json")
    resp.headers["ETag"] = probe.etag
    resp.headers["Cache-Control"] = "no-store"
    return resp
