"""Users, passwords and the audit log."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from server.schemas.presence import QueryTime
from server.services.users import MAX_PASSWORD, MIN_PASSWORD, USERNAME_PATTERN

Role = Literal["admin", "operator", "planner", "viewer"]


class UserOut(BaseModel):
    username: str
    role: Role
    active: bool = Field(description="false: the user may not sign in")
    created_at: str
    last_sign_in: str | None = Field(description="when the user last signed in; null: never")


class UserList(BaseModel):
    users: list[UserOut]


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN, min_length=1, max_length=80,
                          description="letters, digits, '.', '_', '@' or '-'")
    role: Role
    password: str | None = Field(default=None, min_length=MIN_PASSWORD,
                                 max_length=MAX_PASSWORD,
                                 description="optional: without one a password is generated "
                                             "and answered this once")


class UserCreated(UserOut):
    password: str | None = Field(description="the generated password, shown this once; null "
                                             "when the request gave one")


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = Field(default=None, description="a new role: ends the user's login "
                                                        "sessions")
    active: StrictBool | None = Field(default=None, description="false disables the user and "
                                                                "ends their login sessions")


class UserChanged(UserOut):
    sessions_ended: int = Field(description="login sessions of the user ended by the change")


class NewPassword(BaseModel):
    password: str = Field(description="the new generated password, shown this once")
    sessions_ended: int


class OwnPasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current: str = Field(min_length=1, max_length=MAX_PASSWORD)
    new: str = Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)


class OwnPasswordChanged(BaseModel):
    ok: bool
    sessions_ended: int = Field(description="the user's other login sessions, ended")


class AuditQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    actor: str | None = Field(default=None, max_length=120, description="only this actor's "
                              "(a user name, token:<prefix>, cli, demo)")
    action: str | None = Field(default=None, max_length=80, description="only this action "
                               "(create_user, revoke_token, login, ...)")
    from_: QueryTime | None = Field(default=None, alias="from",
                                    description="only entries at or after this time")
    to: QueryTime | None = Field(default=None, description="only entries before this time")
    limit: int = Field(default=100, ge=1, le=1000, description="at most this many, newest first")
    before: int | None = Field(default=None, ge=1, le=2**63 - 1,
                               description="only entries older than this id: the "
                                           "`next_before` of the previous page")


class AuditEntry(BaseModel):
    id: int
    ts: str
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    next_before: int | None = Field(description="pass as `before` for the next, older page; "
                                                "null: this is the last")
