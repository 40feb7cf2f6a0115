"""Bounds on every request, checked before anything reads its body.

1. Size: an anonymous request may carry `MAX_ANONYMOUS_REQUEST_BYTES` (login and register forms);
   a signed-in user's request may carry what their plan allows in one upload (files per batch ×
   `MAX_FILE_BYTES`, plus `REQUEST_SLACK_BYTES` for the form fields and multipart framing), never
   more than `MAX_CONTENT_LENGTH`. A declared `Content-Length` over the cap answers 413
   `file_too_large` at once, unread; a body sent without one is cut off at the cap as it is read.
   The Stripe webhook sets its own cap.
2. Text: no query argument, form field or upload filename may hold a NUL or another control
   character (400 with the field's code, `app.services.inputs`).

These hooks run before CSRF, login and rate-limit checks, which parse the form.
"""

from flask import Flask, g, request
from flask_login import current_user

from app.errors import ApiError
from app.models import audit
from app.models.enums import ErrorCode
from app.notifications import outbox
from app.services import inputs

OWN_CAP_ENDPOINTS = frozenset({"billing.webhook"})


def request_user():
    """The signed-in user of this request (Bearer token or session), or None; reads no body."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        from app.auth.bearer import bearer_user

        user = bearer_user()
    else:
        user = g.get("_login_user") or current_user
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def within_ceiling(app: Flask, cap: int) -> int:
    """A cap no larger than MAX_CONTENT_LENGTH, the ceiling of every request."""
    ceiling = int(app.config.get("MAX_CONTENT_LENGTH") or 0)
    return min(cap, ceiling) if ceiling else cap


def request_cap(app: Flask, user) -> int:
    """The largest body this request may carry, in bytes."""
    if user is None:
        return within_ceiling(app, int(app.config["MAX_ANONYMOUS_REQUEST_BYTES"]))
    from app.services import plans

    files = max(plans.user_limits(user).files_per_batch, 1)
    cap = files * int(app.config["MAX_FILE_BYTES"]) + int(app.config["REQUEST_SLACK_BYTES"])
    return within_ceiling(app, cap)


def too_large(cap: int, signed_in: bool) -> ApiError:
    """The 413 answer naming the cap that applies."""
    size = f"{cap / (1024 * 1024):.1f} MB" if cap >= 1024 * 1024 else f"{cap // 1024} KB"
    who = "your plan's uploads" if signed_in else "a request without a login"
    return ApiError(
        413,
        ErrorCode.FILE_TOO_LARGE,
        f"The request is too large: {who} may carry at most {size}.",
        {"max_bytes": cap},
    )


def register_request_guard(app: Flask) -> None:
    """Cap the request size, then refuse control characters, before any other hook."""

    @app.before_request
    def remember_client_address():
        audit.client_address.set(request.remote_addr)
        outbox.request_site.set(request.host_url.rstrip("/"))

    @app.teardown_request
    def forget_client_address(_exc=None):
        audit.client_address.set(None)
        outbox.request_site.set(None)

    @app.before_request
    def cap_request_size():
        if request.endpoint in OWN_CAP_ENDPOINTS:
            return
        small = request_cap(app, None)
        length = request.content_length
        streamed = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
        if (length is None and not streamed) or (length is not None and length <= small):
            request.max_content_length = small  # no body, or one every caller may send
            return
        user = request_user()
        cap = request_cap(app, user)
        if length is not None and length > cap:
            raise too_large(cap, user is not None)
        request.max_content_length = cap
        if length is None and user is None and "wsgi.input_terminated" in request.environ:
            # A streamed body is cut off at the cap as it is read; an anonymous one is small
            # enough to read here, so that one over the cap answers 413 rather than half a form.
            if len(request.get_data(cache=True)) >= cap:
                raise too_large(cap, False)

    @app.before_request
    def refuse_control_characters():
        if request.endpoint in OWN_CAP_ENDPOINTS:
            return
        inputs.check_fields(request.args.items(multi=True))
        if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            inputs.check_fields(request.form.items(multi=True))
            inputs.check_fields(
                (name, storage.filename or "") for name, storage in request.files.items(multi=True)
            )
