"""Webhook endpoints: /api/v1/webhooks (create, list, delete, test event, deliveries log)."""

from flask import jsonify, request
from flask_login import current_user

from app.api import bp
from app.api.openapi import documented, json_answer, json_body, no_content
from app.errors import ApiError
from app.extensions import db
from app.models.enums import ErrorCode
from app.notifications import endpoints


def _no_store(resp):
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/webhooks")
@documented(
    "Register a webhook endpoint",
    tag="Webhooks",
    body=json_body("WebhookCreate"),
    answers={
        201: json_answer(
            "WebhookCreated", "Registered; the secret is shown only here.", ("Location",)
        )
    },
    errors={400: [ErrorCode.INVALID_WEBHOOK]},
)
def create_webhook():
    """Register an endpoint; the answer carries its signing secret, shown only here."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise endpoints.invalid('Send a JSON object: {"url": ..., "events": [...]}.')
    endpoint, secret = endpoints.create(
        current_user, body.get("url"), body.get("events"), body.get("description")
    )
    db.session.commit()
    resp = jsonify(endpoints.endpoint_json(endpoint, secret=secret))
    resp.status_code = 201
    resp.headers["Location"] = f"/api/v1/webhooks/{endpoint.id}"
    return _no_store(resp)


@bp.get("/webhooks")
@documented(
    "List webhook endpoints",
    tag="Webhooks",
    answers={200: json_answer("WebhookList", "The user's endpoints, without secrets.")},
)
def list_webhooks():
    """The user's endpoints, without their secrets."""
    rows = endpoints.of_user(current_user)
    return _no_store(jsonify({"webhooks": [endpoints.endpoint_json(e) for e in rows]}))


@bp.delete("/webhooks/<uuid:webhook_id>")
@documented("Remove a webhook endpoint", tag="Webhooks", answers={204: no_content("Removed.")})
def delete_webhook(webhook_id):
    """Remove an endpoint; nothing more is sent to it."""
    db.session.delete(endpoints.owned(current_user, webhook_id))
    db.session.commit()
    return "", 204


@bp.post("/webhooks/<uuid:webhook_id>/test")
@documented(
    "Send a test event",
    tag="Webhooks",
    answers={202: json_answer("WebhookPing", "The ping is queued for delivery.")},
    errors={409: [ErrorCode.INVALID_STATE]},
)
def test_webhook(webhook_id):
    """Send a `ping` event to the endpoint now (delivered by a worker)."""
    endpoint = endpoints.owned(current_user, webhook_id)
    if not endpoint.enabled:
        raise ApiError(
            409,
            ErrorCode.INVALID_STATE,
            "The endpoint is disabled: " + (endpoint.disabled_reason or ""),
        )
    event_id = endpoints.send_ping(endpoint)
    db.session.commit()
    return _no_store(jsonify({"event_id": str(event_id), "type": "ping"})), 202


@bp.get("/webhooks/<uuid:webhook_id>/deliveries")
@documented(
    "Delivery attempts of a webhook endpoint",
    tag="Webhooks",
    answers={200: json_answer("WebhookDeliveryList", "The last 100 attempts, newest first.")},
)
def webhook_deliveries(webhook_id):
    """The endpoint's last 100 delivery attempts, newest first."""
    endpoint = endpoints.owned(current_user, webhook_id)
    rows = endpoints.deliveries(endpoint)
    return _no_store(jsonify({"deliveries": [endpoints.delivery_json(r) for r in rows]}))
