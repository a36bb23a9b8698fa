"""The police side's door, installed into every service's app by the HTTP kit.

Before each request the gate finds who is asking: a bearer token (``Authorization: Bearer
prk_...``) or the session cookie set by ``/login``; then it applies the route's declared
rule (``shared.auth.access``) and, for a signed-in person's form posts, checks the CSRF
token. One sign-in serves every service: they sit on one host (ports or paths), the cookie
is the host's, and the sessions live in PostgreSQL.

Every service answers ``/login``, ``/logout`` and ``/account/password``.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup, escape
from werkzeug.exceptions import Forbidden, HTTPException, Unauthorized
from werkzeug.wrappers import Response as BaseResponse

from shared.auth import access, accounts, credentials
from shared.auth.accounts import Actor, AuthPolicy, LoginRefused
from shared.auth.links import PoliceLinks
from shared.auth.records import Account, AuthStore
from shared.auth.roles import ROLE_TITLES, Principal
from shared.auth.words import hindi
from shared.db import Unavailable

SESSION_COOKIE = "prk_session"
LOGIN_COOKIE = "prk_login"  # the sign-in form's own CSRF value (double-submit)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_PASSWORD_ENDPOINTS = frozenset({"auth.password", "auth.password_submit", "auth.logout"})
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_EXTENSION = "pratikriya.gate"
_NONCE = re.compile(r"[A-Za-z0-9_-]{32}")  # secrets.token_urlsafe(24)


class NeedsSignIn(Unauthorized):
    """No principal where the route needs one."""


def _json_wanted() -> bool:
    return (
        request.path.startswith("/api/")
        or "Authorization" in request.headers
        or request.accept_mimetypes.best == "application/json"
    )


@dataclass
class _Cached:
    principal: Principal
    until: float


class Gate:
    def __init__(self, store: AuthStore, policy: AuthPolicy, links: PoliceLinks) -> None:
        self.store = store
        self.policy = policy
        self.links = links
        self._tokens: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    # who is asking ------------------------------------------------------------------------

    def _token_principal(self, presented: str) -> Principal | None:
        if not credentials.plausible_token(presented):
            return None
        digest = credentials.digest(presented)
        now = time.monotonic()
        with self._lock:
            cached = self._tokens.get(digest)
        if cached is not None and cached.until > now:
            return cached.principal
        found = self.store.token_principal(digest)
        with self._lock:
            if found is None:
                self._tokens.pop(digest, None)
            else:  # a revocation takes effect within token_cache_s
                self._tokens[digest] = _Cached(found, now + self.policy.token_cache_s)
        return found

    def _resolve(self) -> Principal | None:
        header = request.headers.get("Authorization")
        if header is not None:
            scheme, _, value = header.partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise Unauthorized("use Authorization: Bearer <token>")
            found = self._token_principal(value.strip())
            if found is None:
                raise Unauthorized("this token is not valid (unknown or revoked)")
            return found
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie and cookie.isascii() and len(cookie) <= 100:
            found = self.store.session_principal(
                credentials.digest(cookie), self.policy.idle_timeout_s, self.policy.max_age_s
            )
            if found is None:
                g.drop_session_cookie = True
            return found
        return None

    def principal(self) -> Principal | None:
        if "principal" not in g:
            g.principal = self._resolve()
        return g.principal

    # the rule of the route ----------------------------------------------------------------

    def enforce(self) -> BaseResponse | None:
        endpoint = request.endpoint
        if endpoint is None:  # no such route (404) or method (405): Flask answers
            return None
        if endpoint == "static" or endpoint.endswith(".static"):
            return None  # stylesheets and images that ship with the code
        rule = access.rule_of(current_app.view_functions.get(endpoint))
        if rule is None:
            raise Forbidden("this route declares no access rule, so nobody may use it")
        if rule.kind in ("public", "signed_link"):
            return None
        principal = self.principal()
        if rule.kind == "loopback_or_token":
            # A request a proxy forwarded is never "from this machine", even from a proxy on
            # it whose hops nobody configured (AUTH_TRUSTED_PROXIES).
            proxied = "X-Forwarded-For" in request.headers and self.policy.trusted_proxies == 0
            if (_loopback(client_ip()) and not proxied) or (
                principal is not None and principal.role in access.MONITORS
            ):
                return None
            if principal is None:
                raise NeedsSignIn("only from this machine, or with an ops or admin token")
            raise Forbidden("only from this machine, or with an ops or admin token")
        if principal is None:
            if _json_wanted() or request.method not in ("GET", "HEAD"):
                raise NeedsSignIn("sign in or send Authorization: Bearer <token>")
            return redirect(url_for("auth.login", next=_here()), 303)
        if principal.must_change_password and endpoint not in _PASSWORD_ENDPOINTS:
            if _json_wanted():
                raise Forbidden("set a new password first (/account/password)")
            return redirect(url_for("auth.password", next=_here()), 303)
        if principal.role not in rule.roles:
            raise Forbidden(f"the {principal.role} role may not open this page")
        if principal.kind == "account" and request.method in _UNSAFE:
            self._check_csrf(principal)
        return None

    def _check_csrf(self, principal: Principal) -> None:
        sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
        expected = principal.csrf_token or ""
        if not expected or not credentials.same_digest(expected, sent):
            raise Forbidden("this form has expired or did not come from our page; reload it")

    # for the views ------------------------------------------------------------------------

    def require(self) -> Principal:
        found = self.principal()
        if found is None:
            raise NeedsSignIn("sign in or send Authorization: Bearer <token>")
        return found

    def require_station(self, station_code: str, zone: str | None) -> Principal:
        """The principal, when they may see this station; 403 otherwise."""
        principal = self.require()
        if not principal.sees_station(station_code, zone):
            raise Forbidden(
                f"your access covers {principal.scope_label or 'no station'}, not {station_code}"
            )
        return principal

    def audit(self, action: str, target: str = "", reason: str = "", **details: object) -> None:
        principal = self.require()
        accounts.record(
            self.store, Actor.of(principal, client_ip()), action, target, reason, **details
        )

    def csrf_field(self) -> Markup:
        principal = self.principal()
        value = principal.csrf_token if principal is not None else ""
        return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, value or "")

    def police_bar(self) -> Markup:
        """The bar at the top of every police page: who is signed in, their pages, sign out."""
        principal = self.principal()
        if principal is None:
            return Markup("")
        return Markup(  # noqa: S704 - a Jinja template, autoescaped
            render_template(
                "auth/_bar.html",
                principal=principal,
                links=self.links.nav(principal),
                title=ROLE_TITLES[principal.role],
                csrf=self.csrf_field(),
            )
        )

    # the app ------------------------------------------------------------------------------

    def install(self, app: Flask) -> None:
        app.extensions[_EXTENSION] = self
        app.register_blueprint(auth_blueprint(self))
        app.before_request(self.enforce)
        app.jinja_env.globals.update(
            csrf_field=self.csrf_field, police_bar=self.police_bar, escape=escape,
            role_title=lambda role: " · ".join(ROLE_TITLES[role]),
        )  # fmt: skip

        @app.after_request
        def forget_dead_session(response: Response) -> Response:
            if g.get("drop_session_cookie"):
                _drop_cookie(response, SESSION_COOKIE, self.policy)
            if "principal" in g and g.principal is not None:
                response.headers.setdefault("Cache-Control", "no-store")
                response.vary.add("Cookie")
            if g.get("form_leads_to_other_services"):
                self._let_form_lead_to_other_services(response)
            return response

    def _let_form_lead_to_other_services(self, response: Response) -> None:
        # The sign-in and password forms answer with a redirect to the person's start page,
        # often another service's (another origin), which a CSP of form-action 'self' would
        # stop: on these two pages the other police services' origins are allowed too.
        policy = response.headers.get("Content-Security-Policy", "")
        directive = "form-action 'self'"
        if directive in policy:
            wider = " ".join([directive, *self.links.origins()])
            response.headers["Content-Security-Policy"] = policy.replace(directive, wider, 1)


def account_principal(account: Account) -> Principal:
    return Principal(
        "account", account.id, account.username, account.role, account.station_code,
        account.zone, account.display_name,
    )  # fmt: skip


def current_gate() -> Gate:
    return current_app.extensions[_EXTENSION]


def client_ip() -> str:
    """The client's address, for the sign-in limits, the audit log and the loopback rule:
    the peer's, or behind ``AuthPolicy.trusted_proxies`` proxies the address the outermost
    trusted one saw (X-Forwarded-For, counted from the right, as werkzeug's ProxyFix does).
    An app that already applies ProxyFix (intake's INTAKE_TRUSTED_PROXIES) is not counted
    twice."""
    address = request.remote_addr or ""
    gate = current_app.extensions.get(_EXTENSION)
    hops = gate.policy.trusted_proxies if gate is not None else 0
    if hops > 0 and "werkzeug.proxy_fix.orig" not in request.environ:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        if len(forwarded) >= hops and forwarded[-hops]:
            address = forwarded[-hops]
    return address[:64]


def _loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _here() -> str:
    query = request.query_string.decode("latin-1")
    return request.path + ("?" + query if query else "")


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this host (never another site), else None."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _set_cookie(
    response: BaseResponse, name: str, value: str, policy: AuthPolicy, *, path: str = "/",
    samesite: str = "Lax", max_age: int | None = None,
) -> None:  # fmt: skip
    response.set_cookie(
        name, value, max_age=max_age, path=path, secure=policy.cookie_secure, httponly=True,
        samesite=samesite,
    )  # fmt: skip


def _drop_cookie(response: BaseResponse, name: str, policy: AuthPolicy, *, path: str = "/",
                 samesite: str = "Lax") -> None:  # fmt: skip
    # With the flags it was set with: a browser may ignore a deletion that lacks Secure.
    response.delete_cookie(name, path=path, secure=policy.cookie_secure, httponly=True,
                           samesite=samesite)  # fmt: skip


def auth_blueprint(gate: Gate) -> Blueprint:
    blueprint = Blueprint(
        "auth", __name__, template_folder="templates", static_folder="static",
        static_url_path="/auth/static",
    )  # fmt: skip

    def login_page(error: str = "", status: int = 200, retry_after: int | None = None,
                   username: str = "") -> Response:  # fmt: skip
        # The browser's nonce is kept while it is one of ours, so that two sign-in pages open
        # at once (one per service, the cookie is the host's) both still work.
        kept = request.cookies.get(LOGIN_COOKIE, "")
        nonce = kept if _NONCE.fullmatch(kept) else secrets.token_urlsafe(24)
        html = render_template(
            "auth/login.html", error=error, error_hi=hindi(error), nonce=nonce,
            username=username, next=safe_next(request.values.get("next")) or "",
        )  # fmt: skip
        response = Response(html, status=status, mimetype="text/html")
        g.form_leads_to_other_services = True
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        _set_cookie(response, LOGIN_COOKIE, nonce, gate.policy, path="/login",
                    samesite="Strict", max_age=3600)  # fmt: skip
        return response

    @blueprint.get("/login")
    @access.public
    def login() -> Response:
        return login_page()

    @blueprint.post("/login")
    @access.public
    def login_submit() -> Response:
        sent, kept = request.form.get(CSRF_FIELD, ""), request.cookies.get(LOGIN_COOKIE, "")
        if not kept or not credentials.same_digest(kept, sent):
            return login_page("this form had expired; please sign in again", 403)
        username = request.form.get("username", "")[:100]
        password = request.form.get("password", "")[: credentials.MAX_PASSWORD_LENGTH]
        try:
            account = accounts.login(gate.store, gate.policy, username, password, client_ip())
        except LoginRefused as refused:
            status = 429 if refused.retry_after else 401
            return login_page(str(refused), status, refused.retry_after, username[:40])
        earlier = request.cookies.get(SESSION_COOKIE, "")
        if earlier.isascii() and 0 < len(earlier) <= 100:  # someone else's, at a shared desk
            gate.store.end_session(credentials.digest(earlier))
        session_id = credentials.new_session_id()
        gate.store.create_session(
            account.id, credentials.digest(session_id), secrets.token_urlsafe(32)
        )
        target = safe_next(request.form.get("next")) or gate.links.home(account_principal(account))
        if account.must_change_password:
            target = url_for("auth.password", next=safe_next(request.form.get("next")))
        response = redirect(target, 303)
        _set_cookie(response, SESSION_COOKIE, session_id, gate.policy)
        _drop_cookie(response, LOGIN_COOKIE, gate.policy, path="/login", samesite="Strict")
        return response  # type: ignore[return-value]

    @blueprint.post("/logout")
    @access.signed_in
    def logout() -> Response:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            gate.store.end_session(credentials.digest(cookie))
        response = redirect(url_for("auth.login"), 303)
        _drop_cookie(response, SESSION_COOKIE, gate.policy)
        return response  # type: ignore[return-value]

    def password_page(error: str = "", status: int = 200) -> Response:
        principal = gate.require()
        html = render_template(
            "auth/password.html", error=error, error_hi=hindi(error), principal=principal,
            home=gate.links.home(principal),
            next=safe_next(request.values.get("next")) or "",
            min_length=credentials.MIN_PASSWORD_LENGTH,
        )  # fmt: skip
        g.form_leads_to_other_services = True
        return Response(html, status=status, mimetype="text/html")

    @blueprint.get("/account/password")
    @access.signed_in
    def password() -> Response:
        return password_page()

    @blueprint.post("/account/password")
    @access.signed_in
    def password_submit() -> Response:
        principal = gate.require()
        if principal.kind != "account":
            raise Forbidden("a token has no password")
        new, again = request.form.get("new_password", ""), request.form.get("again", "")
        if new != again:
            return password_page("the two new passwords differ", 422)
        cookie = request.cookies.get(SESSION_COOKIE, "")
        try:
            accounts.change_password(
                gate.store, principal, request.form.get("current_password", ""), new,
                keep_session=credentials.digest(cookie), ip=client_ip(), policy=gate.policy,
            )  # fmt: skip
        except ValueError as refused:
            return password_page(str(refused), 422)
        target = safe_next(request.form.get("next")) or gate.links.home(principal)
        return redirect(target, 303)  # type: ignore[return-value]

    return blueprint


def error_page(error: HTTPException) -> Response:
    """A police page's error as a page (bilingual, with the way back)."""
    status = error.code or 500
    principal = None
    gate = current_app.extensions.get(_EXTENSION)
    if gate is not None:
        try:
            principal = gate.principal()
        except (HTTPException, Unavailable):
            principal = None
    html = render_template(
        "auth/error.html", status=status, message=error.description or error.name,
        principal=principal, login_url=url_for("auth.login", next=_here()),
        home=gate.links.home(principal) if gate is not None and principal is not None else "",
    )  # fmt: skip
    response = Response(html, status=status, mimetype="text/html")
    if isinstance(error, Unauthorized):
        response.headers["WWW-Authenticate"] = 'Bearer realm="pratikriya"'
    return response
