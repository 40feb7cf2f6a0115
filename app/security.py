"""Security headers on every response and the proxy fix behind a PaaS router."""

import secrets

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

# The app's own scripts and styles only; templates use inline style attributes (progress bars),
# never inline scripts.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
)
# rq-dashboard's pages: their one inline script runs by the response's nonce, their templates come
# precompiled (no eval); its markup keeps inline style attributes.
RQ_DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self'{nonce}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
RQ_DASHBOARD_PREFIX = "/admin/rq/"


def csp_nonce() -> str:
    """This response's script nonce, made on first use (templates call it as `csp_nonce()`)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def rq_dashboard_csp(nonce: str | None) -> str:
    """The policy of an rq-dashboard response; a page's inline script runs only by its nonce."""
    return RQ_DASHBOARD_CSP.format(nonce=f" 'nonce-{nonce}'" if nonce else "")


def security_headers(app: Flask, path: str) -> dict[str, str]:
    """The security headers for a response to `path`."""
    csp = app.config.get("CONTENT_SECURITY_POLICY") or DEFAULT_CSP
    if path.startswith(RQ_DASHBOARD_PREFIX):
        csp = rq_dashboard_csp(g.get("csp_nonce"))
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    hsts = int(app.config.get("HSTS_SECONDS") or 0)
    if hsts > 0:
        headers["Strict-Transport-Security"] = f"max-age={hsts}"
    return headers


def register_security(app: Flask) -> None:
    """Trust the router's X-Forwarded-For/-Proto (production) and add the security headers."""
    x_for = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    x_proto = int(app.config.get("PROXY_FIX_X_PROTO") or 0)
    if x_for or x_proto:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto)

    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def add_security_headers(response):
        for name, value in security_headers(app, request.path).items():
            response.headers.setdefault(name, value)
        return response
