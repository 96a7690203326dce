"""Single sign-on against a real local OpenID provider: configuration, sign-in, policy."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from luna.identity.models import ExternalIdentity, TotpFactor, User
from luna.identity.sso import password_login_allowed
from luna.identity.sso_routes import get_http_client
from luna.identity.sso_sign_in import safe_return_to
from luna.resources import OUTBOUND_TIMEOUT_SECONDS
from luna.security.crypto import Keyring, SecretDecryptionError, column_context
from luna.tenancy.models import Membership, SsoLoginAttempt, Team, TeamSsoConfig
from tests.accounts import STRONG_PASSWORD, Account, MovableClock
from tests.conftest import browser_client
from tests.oidc_provider import OidcProvider

pytestmark = pytest.mark.anyio


def sso_path(team_id: str) -> str:
    return f"/api/v1/teams/{team_id}/sso"


def config_body(provider: OidcProvider, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "allowed_domains": [],
        "default_role": "viewer",
        "enabled": True,
        "sso_required": False,
    }
    return body | changes


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["type"] == f"urn:luna:problem:{code}"
    return body


async def set_plan(app: FastAPI, team_id: str, plan: str) -> None:
    async with app.state.resources.session_factory() as session:
        await session.execute(update(Team).where(Team.id == team_id).values(plan=plan))
        await session.commit()


async def add_member(app: FastAPI, team_id: str, user_id: str, role: str) -> None:
    async with app.state.resources.session_factory() as session:
        session.add(Membership(team_id=team_id, user_id=user_id, role=role))
        await session.commit()


async def count(app: FastAPI, model: type[object], *conditions: object) -> int:
    async with app.state.resources.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*conditions)))


async def sign_up_elsewhere(app: FastAPI, email: str) -> str:
    async with browser_client(app) as browser:
        response = await browser.post(
            "/api/v1/auth/signup",
            json={"email": email, "password": STRONG_PASSWORD, "display_name": "Other"},
        )
    assert response.status_code == 201, response.text
    user_id: str = response.json()["user"]["id"]
    return user_id


async def follow_provider(start: httpx.Response) -> str:
    """The callback path and query the provider sends the browser back to."""
    assert start.status_code == 302, start.text
    async with httpx.AsyncClient() as user_agent:
        authorize = await user_agent.get(start.headers["location"])
    assert authorize.status_code == 302, authorize.text
    return httpx.URL(authorize.headers["location"]).raw_path.decode()


async def sso_sign_in(
    browser: httpx.AsyncClient, team_id: str, return_to: str = "/"
) -> httpx.Response:
    start = await browser.get(f"/api/v1/auth/sso/{team_id}/start", params={"return_to": return_to})
    return await browser.get(await follow_provider(start))


@pytest.fixture
async def provider_http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The client Luna reaches the provider with: real HTTP, closed after the test."""
    async with httpx.AsyncClient(timeout=10) as http:
        app.dependency_overrides[get_http_client] = lambda: http
        yield http


@pytest.fixture
async def owner(
    app: FastAPI, client: httpx.AsyncClient, sign_up, oidc_provider: OidcProvider, provider_http
) -> Account:
    """A team owner on the Scale plan whose team signs in with the local provider."""
    account: Account = await sign_up("owner@example.com")
    await set_plan(app, account.team_id, "scale")
    response = await client.put(sso_path(account.team_id), json=config_body(oidc_provider))
    assert response.status_code == 200, response.text
    return account


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser, signed out."""
    async with browser_client(app) as http:
        yield http


async def test_owner_configures_sso_and_the_secret_is_stored_sealed(
    app: FastAPI, client: httpx.AsyncClient, owner: Account, oidc_provider: OidcProvider
) -> None:
    shown = await client.get(sso_path(owner.team_id))

    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert oidc_provider.client_secret not in shown.text and "client_secret" not in body
    assert body["has_client_secret"] is True
    assert (body["issuer"], body["default_role"], body["enabled"]) == (
        oidc_provider.issuer,
        "viewer",
        True,
    )
    assert body["redirect_uri"] == (
        f"http://127.0.0.1:8000/api/v1/auth/sso/{owner.team_id}/callback"
    )
    async with app.state.resources.session_factory() as session:
        stored = await session.get(TeamSsoConfig, owner.team_id)
    assert stored is not None and stored.client_secret_encrypted is not None
    assert oidc_provider.client_secret not in stored.client_secret_encrypted
    keyring: Keyring = app.state.keyring
    context = column_context("team_sso_configs", "client_secret_encrypted", owner.team_id)
    assert keyring.decrypt_str(stored.client_secret_encrypted, context=context) == (
        oidc_provider.client_secret
    )
    with pytest.raises(SecretDecryptionError):
        keyring.decrypt_str(stored.client_secret_encrypted, context=b"team_sso_configs.other")


async def test_the_secret_is_kept_for_the_same_client_and_required_for_a_new_one(
    client: httpx.AsyncClient, owner: Account, oidc_provider: OidcProvider
) -> None:
    path = sso_path(owner.team_id)
    kept = await client.put(
        path, json=config_body(oidc_provider, client_secret=None, allowed_domains=["@Example.COM"])
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["has_client_secret"] is True
    assert kept.json()["allowed_domains"] == ["example.com"]

    moved = await client.put(
        path, json=config_body(oidc_provider, client_id="other", client_secret=None)
    )
    problem = assert_problem(moved, 422, "validation-failed")
    assert problem["errors"] == [
        {
            "in": "body",
            "pointer": "#/client_secret",
            "message": "Required for a new configuration and whenever issuer or client_id changes.",
        }
    ]


async def test_deleting_the_configuration_ends_sso(
    client: httpx.AsyncClient, owner: Account, browser: httpx.AsyncClient
) -> None:
    deleted = await client.delete(sso_path(owner.team_id))

    assert deleted.status_code == 204
    assert_problem(await client.get(sso_path(owner.team_id)), 404, "not-found")
    start = await browser.get(f"/api/v1/auth/sso/{owner.team_id}/start")
    assert_problem(start, 404, "not-found")


async def test_sso_changes_are_audited(client: httpx.AsyncClient, owner: Account) -> None:
    await client.delete(sso_path(owner.team_id))
    log = await client.get(f"/api/v1/teams/{owner.team_id}/audit-log")
    actions = [event["action"] for event in log.json()["items"]]
    assert actions[:2] == ["sso.removed", "sso.configured"]
    configured = log.json()["items"][1]
    assert configured["data"]["secret_changed"] is True
    assert "client_secret" not in str(configured["data"])


async def test_a_team_the_caller_is_not_in_answers_404(
    app: FastAPI, owner: Account, oidc_provider: OidcProvider, browser: httpx.AsyncClient
) -> None:
    signed = await browser.post(
        "/api/v1/auth/signup",
        json={"email": "intruder@example.com", "password": STRONG_PASSWORD, "display_name": "I"},
    )
    assert signed.status_code == 201
    path = sso_path(owner.team_id)
    assert_problem(await browser.get(path), 404, "not-found")
    assert_problem(await browser.put(path, json=config_body(oidc_provider)), 404, "not-found")
    assert_problem(await browser.delete(path), 404, "not-found")


@pytest.mark.parametrize("role", ["member", "viewer"])
async def test_members_below_admin_may_not_see_or_change_sso(
    app: FastAPI, owner: Account, oidc_provider: OidcProvider, browser: httpx.AsyncClient, role: str
) -> None:
    signed = await browser.post(
        "/api/v1/auth/signup",
        json={"email": "colleague@example.com", "password": STRONG_PASSWORD, "display_name": "C"},
    )
    await add_member(app, owner.team_id, signed.json()["user"]["id"], role)
    path = sso_path(owner.team_id)

    assert_problem(await browser.get(path), 403, "forbidden")
    assert_problem(await browser.put(path, json=config_body(oidc_provider)), 403, "forbidden")
    assert_problem(await browser.delete(path), 403, "forbidden")


async def test_teams_on_plans_without_sso_cannot_enable_it(
    app: FastAPI, client: httpx.AsyncClient, sign_up, oidc_provider: OidcProvider, provider_http
) -> None:
    account: Account = await sign_up("starter@example.com")
    await set_plan(app, account.team_id, "starter")

    refused = await client.put(sso_path(account.team_id), json=config_body(oidc_provider))

    problem = assert_problem(refused, 402, "entitlement-exceeded:sso")
    assert (problem["entitlement"], problem["plan"]) == ("sso", "starter")
    saved = await client.put(
        sso_path(account.team_id), json=config_body(oidc_provider, enabled=False)
    )
    assert saved.status_code == 200, saved.text


async def test_the_issuer_must_publish_a_discovery_document_naming_itself(
    client: httpx.AsyncClient, owner: Account, oidc_provider: OidcProvider
) -> None:
    path = sso_path(owner.team_id)
    port = httpx.URL(oidc_provider.issuer).port
    for issuer, message in [
        (f"http://localhost:{port}", "names the issuer"),
        (f"{oidc_provider.issuer}/tenant", "answered HTTP 404"),
    ]:
        refused = await client.put(path, json=config_body(oidc_provider, issuer=issuer))
        problem = assert_problem(refused, 422, "validation-failed")
        assert message in str(problem["detail"]), problem
        assert problem["errors"][0]["pointer"] == "#/issuer"  # type: ignore[index]
    insecure = await client.put(
        path, json=config_body(oidc_provider, issuer="http://idp.example.com")
    )
    assert_problem(insecure, 422, "validation-failed")
    oidc_provider.stop()
    unreachable = await client.put(path, json=config_body(oidc_provider))
    assert "could not be reached" in str(
        assert_problem(unreachable, 422, "validation-failed")["detail"]
    )


async def test_first_sign_in_creates_a_member_with_the_default_role(
    app: FastAPI,
    owner: Account,
    oidc_provider: OidcProvider,
    browser: httpx.AsyncClient,
    clock: MovableClock,
) -> None:
    callback = await sso_sign_in(browser, owner.team_id, return_to="/agents?tab=runs")

    assert callback.status_code == 302, callback.text
    assert callback.headers["location"] == "/agents?tab=runs"
    assert "luna_session" in callback.cookies
    me = await browser.get("/api/v1/me")
    assert me.status_code == 200, me.text
    user = me.json()["user"]
    assert (user["email"], user["display_name"], user["email_verified"]) == (
        "grace@example.com",
        "Grace Hopper",
        True,
    )
    assert [(team["id"], team["role"]) for team in me.json()["teams"]] == [
        (owner.team_id, "viewer")
    ]
    async with app.state.resources.session_factory() as session:
        link = await session.scalar(select(ExternalIdentity))
        created = await session.get(User, user["id"])
    assert link is not None and created is not None
    assert (link.issuer, link.subject, link.user_id) == (
        oidc_provider.issuer,
        "idp-user-1",
        user["id"],
    )
    assert link.last_login_at == clock.now
    assert created.password_hash is None
    exchange = oidc_provider.token_requests[-1]
    assert exchange["auth_method"] == "client_secret_basic" and exchange["code_verifier"]


async def test_the_client_secret_goes_in_the_body_when_the_provider_wants_it_there(
    owner: Account, oidc_provider: OidcProvider, browser: httpx.AsyncClient
) -> None:
    oidc_provider.auth_methods = ["client_secret_post"]

    callback = await sso_sign_in(browser, owner.team_id)

    assert callback.status_code == 302, callback.text
    assert oidc_provider.token_requests[-1]["auth_method"] == "client_secret_post"


async def test_signing_in_again_reuses_the_account(
    app: FastAPI, owner: Account, browser: httpx.AsyncClient
) -> None:
    first = await sso_sign_in(browser, owner.team_id)
    first_user = (await browser.get("/api/v1/me")).json()["user"]["id"]
    async with browser_client(app) as other_browser:
        second = await sso_sign_in(other_browser, owner.team_id)
        second_user = (await other_browser.get("/api/v1/me")).json()["user"]["id"]

    assert (first.status_code, second.status_code) == (302, 302)
    assert first_user == second_user
    assert await count(app, ExternalIdentity) == 1
    assert await count(app, Membership, Membership.user_id == first_user) == 1


async def test_a_member_with_the_same_verified_email_is_linked(
    app: FastAPI, owner: Account, oidc_provider: OidcProvider, browser: httpx.AsyncClient
) -> None:
    oidc_provider.user.email = "Owner@Example.com"

    callback = await sso_sign_in(browser, owner.team_id)

    assert callback.status_code == 302, callback.text
    me = (await browser.get("/api/v1/me")).json()
    assert me["user"]["id"] == owner.user_id
    assert [team["role"] for team in me["teams"] if team["id"] == owner.team_id] == ["owner"]
    assert await count(app, ExternalIdentity, ExternalIdentity.user_id == owner.user_id) == 1


async def test_an_account_outside_the_team_is_never_taken_over(
    app: FastAPI, owner: Account, browser: httpx.AsyncClient
) -> None:
    outsider = await sign_up_elsewhere(app, "grace@example.com")

    callback = await sso_sign_in(browser, owner.team_id)

    assert_problem(callback, 409, "conflict")
    assert "luna_session" not in callback.cookies
    assert await count(app, ExternalIdentity) == 0
    assert await count(app, Membership, Membership.user_id == outsider) == 1


@pytest.mark.parametrize("verified", [False, "false"])
async def test_an_unverified_email_is_refused(
    app: FastAPI, owner: Account, oidc_provider: OidcProvider, browser: httpx.AsyncClient, verified
) -> None:
    oidc_provider.user.email_verified = verified

    callback = await sso_sign_in(browser, owner.team_id)

    problem = assert_problem(callback, 403, "sso-sign-in-refused")
    assert "verified email" in str(problem["detail"])
    assert await count(app, User, User.email == "grace@example.com") == 0


async def test_only_allowed_domains_may_join(
    app: FastAPI, client: httpx.AsyncClient, owner: Account, oidc_provider: OidcProvider, browser
) -> None:
    path = sso_path(owner.team_id)
    await client.put(path, json=config_body(oidc_provider, allowed_domains=["example.org"]))

    refused = await sso_sign_in(browser, owner.team_id)
    assert assert_problem(refused, 403, "sso-sign-in-refused")["domain"] == "example.com"
    assert await count(app, User, User.email == "grace@example.com") == 0

    await client.put(
        path, json=config_body(oidc_provider, allowed_domains=["example.org", "example.com"])
    )
    assert (await sso_sign_in(browser, owner.team_id)).status_code == 302


async def test_a_state_works_once(owner: Account, browser: httpx.AsyncClient) -> None:
    start = await browser.get(f"/api/v1/auth/sso/{owner.team_id}/start")
    callback_path = await follow_provider(start)

    assert (await browser.get(callback_path)).status_code == 302
    replayed = await browser.get(callback_path)
    assert_problem(replayed, 400, "sso-state-invalid")
    assert_problem(
        await browser.get(f"/api/v1/auth/sso/{owner.team_id}/callback?state=forged&code=x"),
        400,
        "sso-state-invalid",
    )


async def test_a_state_expires_after_ten_minutes(
    owner: Account, browser: httpx.AsyncClient, clock: MovableClock
) -> None:
    start = await browser.get(f"/api/v1/auth/sso/{owner.team_id}/start")
    callback_path = await follow_provider(start)
    clock.advance(minutes=11)

    assert_problem(await browser.get(callback_path), 400, "sso-state-invalid")


async def test_an_id_token_with_another_nonce_is_refused(
    owner: Account, oidc_provider: OidcProvider, browser: httpx.AsyncClient
) -> None:
    oidc_provider.nonce_override = "a-nonce-from-another-sign-in"

    callback = await sso_sign_in(browser, owner.team_id)

    problem = assert_problem(callback, 502, "sso-provider-failed")
    assert problem["reason"] == "id-token-invalid"
    assert "nonce does not match" in str(problem["detail"])
    assert "luna_session" not in callback.cookies


async def test_a_wrong_pkce_verifier_is_refused_by_the_provider(
    app: FastAPI, owner: Account, browser: httpx.AsyncClient
) -> None:
    start = await browser.get(f"/api/v1/auth/sso/{owner.team_id}/start")
    async with app.state.resources.session_factory() as session:
        await session.execute(update(SsoLoginAttempt).values(code_verifier="x" * 64))
        await session.commit()

    callback = await browser.get(await follow_provider(start))

    problem = assert_problem(callback, 502, "sso-provider-failed")
    assert (problem["reason"], problem["provider_error"]) == ("token-refused", "invalid_grant")
    assert "refused to exchange the sign-in code (invalid_grant)" in str(problem["detail"])


async def test_a_provider_that_is_down_gets_a_clear_answer(
    owner: Account, oidc_provider: OidcProvider, browser: httpx.AsyncClient
) -> None:
    oidc_provider.stop()

    start = await browser.get(f"/api/v1/auth/sso/{owner.team_id}/start")

    problem = assert_problem(start, 502, "sso-provider-failed")
    assert problem["reason"] == "unreachable"


async def test_a_refusal_at_the_provider_is_reported(
    owner: Account, browser: httpx.AsyncClient
) -> None:
    start = await browser.get(f"/api/v1/auth/sso/{owner.team_id}/start")
    state = httpx.URL(start.headers["location"]).params["state"]

    callback = await browser.get(
        f"/api/v1/auth/sso/{owner.team_id}/callback",
        params={"state": state, "error": "access_denied"},
    )

    assert assert_problem(callback, 403, "sso-sign-in-refused")["provider_error"] == "access_denied"


async def test_the_authorization_request_carries_pkce_nonce_and_state(
    owner: Account, oidc_provider: OidcProvider, browser: httpx.AsyncClient
) -> None:
    start = await browser.get(f"/api/v1/auth/sso/{owner.team_id}/start")

    location = httpx.URL(start.headers["location"])
    assert str(location.copy_with(query=None)) == f"{oidc_provider.issuer}/authorize"
    params = location.params
    assert (params["response_type"], params["scope"], params["client_id"]) == (
        "code",
        "openid email profile",
        oidc_provider.client_id,
    )
    assert (
        params["redirect_uri"] == f"http://127.0.0.1:8000/api/v1/auth/sso/{owner.team_id}/callback"
    )
    assert params["code_challenge_method"] == "S256"
    assert all(len(params[name]) >= 43 for name in ("state", "nonce", "code_challenge"))


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("/agents?tab=runs#top", "/agents?tab=runs#top"),
        ("//evil.example/path", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("agents", "/"),
        ("/a b", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_return_to_must_be_a_path_on_this_site(requested: str | None, expected: str) -> None:
    assert safe_return_to(requested) == expected


async def test_an_unsafe_return_to_sends_the_browser_home(
    owner: Account, browser: httpx.AsyncClient
) -> None:
    callback = await sso_sign_in(browser, owner.team_id, return_to="//evil.example/")

    assert callback.status_code == 302
    assert callback.headers["location"] == "/"


async def test_sso_required_forbids_password_sign_in_for_members_only(
    app: FastAPI, client: httpx.AsyncClient, owner: Account, oidc_provider: OidcProvider
) -> None:
    outsider = await sign_up_elsewhere(app, "outsider@example.com")

    async def allowed(user_id: str) -> bool:
        async with app.state.resources.session_factory() as session:
            return await password_login_allowed(session=session, user_id=user_id)

    assert await allowed(owner.user_id) is True
    await client.put(sso_path(owner.team_id), json=config_body(oidc_provider, sso_required=True))
    assert (await allowed(owner.user_id), await allowed(outsider)) == (False, True)
    await set_plan(app, owner.team_id, "starter")
    assert await allowed(owner.user_id) is True


async def test_a_user_with_mfa_must_still_give_the_second_factor(
    app: FastAPI,
    owner: Account,
    oidc_provider: OidcProvider,
    browser: httpx.AsyncClient,
    clock: MovableClock,
) -> None:
    async with app.state.resources.session_factory() as session:
        session.add(TotpFactor(user_id=owner.user_id, secret_encrypted="x", confirmed_at=clock.now))
        await session.commit()
    oidc_provider.user.email = owner.email

    callback = await sso_sign_in(browser, owner.team_id)

    assert callback.status_code == 302, callback.text
    assert_problem(await browser.get("/api/v1/me"), 401, "mfa-required")


async def test_the_provider_client_is_the_applications_and_follows_no_redirects(
    app: FastAPI,
) -> None:
    resources = app.state.resources

    client = get_http_client(resources)

    assert client is get_http_client(resources) is resources.http_client
    # An identity provider's redirect is never followed by the server on its own.
    assert client.follow_redirects is False
    assert client.timeout.read == OUTBOUND_TIMEOUT_SECONDS
