"""``DELETE /api/v1/me``: close the signed-in user's account."""

from __future__ import annotations

from fastapi import APIRouter, Response

from luna.accounts.closing import close_account
from luna.accounts.schemas import AccountDeletion
from luna.deps import ClockDep, OriginDep, SessionDep, SettingsDep, UserPrincipalDep
from luna.identity.cookies import clear_session_cookie
from luna.tenancy.service import get_user

router = APIRouter(prefix="/api/v1", tags=["me"])


@router.delete("/me", operation_id="me-delete", status_code=204)
async def delete_me(
    body: AccountDeletion,
    principal: UserPrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    origin: OriginDep,
) -> Response:
    """Delete the signed-in user's account, and the teams nobody else is in with all their
    work; leave every other team. Confirmed with the account's email address and password
    (and a recent second factor when it is on).

    Answers 409, listing each team in ``blockers``, while the user is the last owner of a
    team with other members, or a team to be deleted has a subscription the payment
    provider may still charge, or runs still going. Only a signed-in browser can do this,
    never an API key.
    """
    assert principal.session is not None  # noqa: S101  (guaranteed by UserPrincipalDep)
    user = await get_user(session=session, user_id=principal.user_id)
    await close_account(
        session=session,
        user=user,
        user_session=principal.session,
        confirmation=body,
        origin=origin,
        now=clock(),
    )
    response = Response(status_code=204)
    clear_session_cookie(response, settings)
    return response
