"""Production: security headers, secure cookies, the proxy fix, and pages without inline scripts."""

import re

import pytest
import sqlalchemy as sa

from app.security import DEFAULT_CSP
from config import ProductionConfig, TestConfig
from tests.conftest import csrf_from
from tests.factories import make_user

HTTPS = "https://ingestio.example.com"
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
)


@pytest.fixture(scope="module")
def prod_app(app, tmp_path_factory):
    """The app on the production configuration, on the test database and Redis."""
    from app import create_app

    storage = tmp_path_factory.mktemp("prod-storage")

    class Production(ProductionConfig):
        SECRET_KEY = "production-secret-key-for-tests-0123456789"
        SQLALCHEMY_DATABASE_URI = TestConfig.SQLALCHEMY_DATABASE_URI
        REDIS_URL = TestConfig.REDIS_URL
        RATELIMIT_STORAGE_URI = TestConfig.REDIS_URL
        STORAGE_URL = f"file://{storage}"
        LOG_JSON = False

    return create_app(Production)


@pytest.fixture
def prod(prod_app, db):
    """A client of the production app that talks HTTPS, as the PaaS router does."""
    client = prod_app.test_client()

    class Browser:
        def get(self, path, **kw):
            return client.get(path, base_url=HTTPS, **kw)

        def post(self, path, data=None, **kw):
            headers = {"Referer": HTTPS + path, **kw.pop("headers", {})}
            return client.post(path, base_url=HTTPS, data=data, headers=headers, **kw)

        def login(self, email):
            token = csrf_from(self.get("/login").get_data(as_text=True))
            return self.post(
                "/login",
                data={"email": email, "password": "correct-horse-42", "csrf_token": token},
            )

    yield Browser()
    with prod_app.app_context():
        from app.extensions import db as prod_db

        prod_db.session.remove()


def test_the_policy_is_the_documented_one():
    assert DEFAULT_CSP == EXPECTED_CSP


def test_production_pages_carry_the_security_headers(prod):
    resp = prod.get("/login")
    assert resp.status_code == 200
    h = resp.headers
    assert h["Content-Security-Policy"] == EXPECTED_CSP
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert h["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/usage", "/static/css/app.css", "/nope"])
def test_every_kind_of_response_carries_them(prod, path):
    h = prod.get(path).headers
    assert h["Content-Security-Policy"] == EXPECTED_CSP
    assert h["X-Content-Type-Options"] == "nosniff"


def test_development_has_no_hsts(client):
    h = client.get("/login").headers
    assert "Strict-Transport-Security" not in h
    assert h["Content-Security-Policy"] == EXPECTED_CSP


def test_session_cookie_is_secure_in_production(prod, user):
    resp = prod.login(user.email)
    assert resp.status_code == 302
    cookie = next(c for c in resp.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_rq_dashboard_runs_its_one_inline_script_by_nonce_without_eval(prod, prod_app, db):
    make_user("ops@example.com", admin=True)
    assert prod.login("ops@example.com").status_code == 302
    nonces = []
    for path in ("/admin/rq/", "/admin/rq/0/view/jobs", "/admin/rq/0/view/workers"):
        page = prod.get(path)
        assert page.status_code == 200
        csp = page.headers["Content-Security-Policy"]
        script_src = csp.split("script-src")[1].split(";")[0]
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        nonce = re.search(r"'nonce-([\w-]+)'", script_src).group(1)
        html = page.get_data(as_text=True)
        # Every inline script carries the nonce; the others are files of this origin.
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*text/template)([^>]*)>", html)
        assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)
        assert "js/rq_templates.js" in html
        nonces.append(nonce)
    assert len(set(nonces)) == len(nonces)  # a fresh nonce per response
    data = prod.get("/admin/rq/0/data/queues.json")
    assert data.status_code == 200 and "nonce-" not in data.headers["Content-Security-Policy"]
    assert prod.get("/admin/").headers["Content-Security-Policy"] == EXPECTED_CSP
    assert prod.get("/dashboard").headers["Content-Security-Policy"] == EXPECTED_CSP


def test_proxy_fix_trusts_one_router_hop(prod_app, db, user):
    from app.models import AuditEvent

    client = prod_app.test_client()
    headers = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https"}
    page = client.get("/login", headers=headers)
    token = csrf_from(page.get_data(as_text=True))
    # The router said https: Flask-WTF's HTTPS referrer check now applies.
    refused = client.post(
        "/login",
        data={"email": user.email, "password": "correct-horse-42", "csrf_token": token},
        headers=headers,
    )
    assert refused.status_code == 400
    ok = client.post(
        "/login",
        data={"email": user.email, "password": "correct-horse-42", "csrf_token": token},
        headers={**headers, "Referer": "https://localhost/login"},
    )
    assert ok.status_code == 302
    page = client.get("/account", headers=headers)
    token = csrf_from(page.get_data(as_text=True))
    client.post(
        "/account/tokens",
        data={"name": "ci", "csrf_token": token},
        headers={**headers, "Referer": "https://localhost/account"},
    )
    with prod_app.app_context():
        from app.extensions import db as prod_db

        ips = prod_db.session.scalars(
            sa.select(AuditEvent.ip_address).where(AuditEvent.action == "token.created")
        ).all()
    # Only the last hop (the one the router added) is believed, never a client-written one.
    assert ips == ["203.0.113.9"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def test_no_template_has_an_inline_script(app):
    import pathlib

    root = pathlib.Path(app.root_path).parent / "templates"
    offenders = []
    for path in sorted(root.rglob("*.html")):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JS_URL):
            offenders += [
                f"{path.relative_to(root)}: {m.group(0)[:60]}"
                for m in pattern.finditer(text)
                # rq-dashboard's pages: inert template blocks and one script run by the nonce
                if not (
                    path.parent.name == "rq_dashboard"
                    and pattern is INLINE_SCRIPT
                    and re.search(r'type="text/template"|nonce="\{\{ csp_nonce\(\) \}\}"', m[0])
                )
            ]
    assert offenders == []


def test_no_rendered_page_has_an_inline_script(app, client, auth, db):
    """Every page without parameters, seen by a visitor and by an admin, obeys the policy."""
    make_user("ops@example.com", admin=True)
    pages = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and not rule.rule.startswith(("/admin/rq", "/api/", "/static"))
        and rule.endpoint not in ("auth.logout",)
    )
    assert "/analytics" in pages and "/admin/" in pages
    checked = set()
    for who in ("visitor", "admin"):
        if who == "admin":
            auth.login("ops@example.com")
        for path in pages:
            resp = client.get(path)
            if resp.mimetype != "text/html":
                continue
            html = resp.get_data(as_text=True)
            checked.add(path)
            assert not INLINE_SCRIPT.search(html), (who, path)
            assert not EVENT_HANDLER.search(html), (who, path)
            assert not JS_URL.search(html), (who, path)
    assert {"/", "/login", "/register", "/dashboard", "/analytics", "/admin/"} <= checked
