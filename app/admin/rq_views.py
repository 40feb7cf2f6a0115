"""rq-dashboard views replaced where rq-dashboard 0.9 does not fit RQ 3."""

import json

from flask import current_app, jsonify
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq_dashboard import web


def job_info(instance_number, job_id):
    """One job's details as rq-dashboard's job page reads them.

    RQ 3 returns dependency ids as text, which rq-dashboard's own view decodes again and fails on
    (every job waiting for another one answered 500).
    """
    conn = current_app.redis_conn
    job = Job.fetch(job_id, serializer=web.config.serializer, connection=conn)
    latest_result = job.latest_result()
    encoder = current_app.config.get("RQ_DASHBOARD_JSON_ENCODER", json.JSONEncoder)
    result = dict(
        id=job.id,
        created_at=web.serialize_date(job.created_at),
        enqueued_at=web.serialize_date(job.enqueued_at),
        started_at=web.serialize_date(job.started_at),
        ended_at=web.serialize_date(job.ended_at),
        origin=job.origin,
        status=job.get_status(),
        result=job.return_value(),
        exc_info=latest_result.exc_string if latest_result else None,
        description=web.format_job_description(job),
        metadata=json.dumps(job.get_meta(), cls=encoder),
    )
    dep_ids = [
        (d.decode() if isinstance(d, bytes) else d).split(":")[-1].strip()
        for d in job.dependency_ids
    ]
    if dep_ids:
        result["depends_on"] = dep_ids
        status = []
        for dep_id in dep_ids:
            try:
                Job.fetch(dep_id, serializer=web.config.serializer, connection=conn)
                status.append("active")
            except NoSuchJobError:
                status.append("expired")
        result["depends_on_status"] = status
    return jsonify(**result), {"Cache-Control": "no-store"}
