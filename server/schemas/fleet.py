"""Kiosks, their commands (arguments per action), sessions and presence history."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, RootModel, Tag, create_model

from server.domain.fleet import COMMAND_STATUSES, KIOSK_KINDS, SCREENSHOT_TYPES


class RenderFacts(BaseModel):
    """How a kiosk renders, from its heartbeat: a card can say "640x360, 10 fps cap, stereo"."""

    width: int = Field(ge=1, le=16384)
    height: int = Field(ge=1, le=16384)
    max_fps: float | None = Field(default=None, ge=0, le=1000, description="null: no cap")
    stereo: bool = False


class KioskOut(BaseModel):
    kiosk_id: str
    site_id: str | None
    name: str
    kind: str | None = None
    status: str
    online: bool
    scene: str | None
    state: str | None
    fps: float | None
    experience_id: str | None
    featured: str | None
    zone_id: str | None
    group: str | None
    lon: float | None = None
    lat: float | None = None
    pairing_code: str | None
    last_seen: str | None
    screenshot_at: str | None = Field(default=None, description="when its last screenshot was taken")
    render: RenderFacts | None = Field(default=None, description="while online, from its heartbeat")


class KioskList(BaseModel):
    kiosks: list[KioskOut]


class ApproveIn(BaseModel):
    code: str = Field(min_length=1, max_length=16, description="the pairing code on the kiosk's screen")
    site_id: str | None = Field(default=None, max_length=64)
    zone_id: str | None = Field(default=None, max_length=128)
    group: str | None = Field(default=None, max_length=64)


# The kiosk command contract, written once: each action's args model is what REST, /control,
# the OpenAPI document and the kiosk sessions validate with (server/services/commands.py applies it).
LANGUAGES = ("en", "zh")
Language = Literal["en", "zh"]
MAX_TEXT_CHARS = 500  # an announcement's text, per language
MAX_ANNOUNCE_S = 3600
MAX_SESSION_S = 4 * 3600
MAX_ARGS_BYTES = 4096  # a command's args as UTF-8 JSON: a command is stored once per kiosk
Id = Annotated[str, Field(min_length=1, max_length=128)]


class Args(BaseModel):
    """Arguments of an action; a key outside the contract is refused, not carried along, and
    no value is coerced (``true`` or ``"10"`` is not a number of seconds)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class NoArgs(Args):
    pass


class LoadSceneArgs(Args):
    experience_id: Id
    scene: str | None = Field(default=None, min_length=1, max_length=128,
                              description="the experience's own scene when left out")


class StartSessionArgs(Args):
    duration_s: int = Field(gt=0, le=MAX_SESSION_S)
    session_id: str | None = Field(default=None, max_length=128)


class ExtendSessionArgs(Args):
    seconds: int = Field(gt=0, le=MAX_SESSION_S)


AnnounceText = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]
# one text or one per language; tagged so that a refusal names the form it read, not both
AnnounceTexts = Annotated[
    Annotated[AnnounceText, Tag("one text")]
    | Annotated[dict[Language, AnnounceText], Field(min_length=1), Tag("per language")],
    Discriminator(lambda v: "per language" if isinstance(v, dict) else "one text")]


class AnnounceArgs(Args):
    text: AnnounceTexts = Field(
        description=f"a message, or one per language (en, zh); at most {MAX_TEXT_CHARS} characters each")
    duration_s: int | None = Field(default=None, gt=0, le=MAX_ANNOUNCE_S)


class SetLanguageArgs(Args):
    lang: Language


ARGS_OF: dict[str, type[BaseModel]] = {
    "load_scene": LoadSceneArgs, "play": NoArgs, "pause": NoArgs, "start_session": StartSessionArgs,
    "extend_session": ExtendSessionArgs, "end_session": NoArgs, "announce": AnnounceArgs,
    "set_language": SetLanguageArgs, "screenshot": NoArgs,
}


def _command_models(extra: dict[str, Any], suffix: str) -> Any:
    """One model per action with its own args, joined into a union discriminated by action."""
    variants = []
    for action, args_model in ARGS_OF.items():
        default = ... if args_model.model_fields and any(
            f.is_required() for f in args_model.model_fields.values()) else Field(
            default_factory=args_model)
        name = "".join(part.title() for part in action.split("_")) + suffix
        variants.append(create_model(name, action=(Literal[action], ...),  # type: ignore[call-overload,arg-type]
                                     args=(args_model, default), **extra))
    return Annotated[Union[tuple(variants)], Field(discriminator="action")]  # noqa: UP007


class CommandIn(RootModel[_command_models({}, "Command")]):  # type: ignore[misc]
    """A kiosk command; ``args`` depend on the action (docs/protocol.md). Documents the body;
    server/services/commands.py validates it with the same models."""


class GroupCommandIn(RootModel[_command_models(  # type: ignore[misc]
        {"group": (str, Field(min_length=1, max_length=64, description="a group, or * for all")),
         "exclude": (list[str], Field(default_factory=list))}, "GroupCommand")]):
    """A command for a group of kiosks minus the excluded ones."""


class CommandOut(BaseModel):
    id: str
    seq: int
    kiosk_id: str
    action: str
    args: dict[str, Any]


class CommandsOut(BaseModel):
    commands: list[CommandOut]


class SessionIn(BaseModel):
    duration_s: int = Field(gt=0, le=MAX_SESSION_S)
    experience_id: str | None = Field(default=None, max_length=128)


class ExtendIn(BaseModel):
    seconds: int = Field(gt=0, le=MAX_SESSION_S)


class SessionOut(BaseModel):
    id: str
    kiosk_id: str
    status: str
    duration_s: int
    experience_id: str | None
    started_at: str | None
    ends_at: str | None


class SessionList(BaseModel):
    sessions: list[SessionOut]


class CommandState(BaseModel):
    id: str
    seq: int
    action: str
    args: dict[str, Any]
    status: Literal[COMMAND_STATUSES] = Field(  # type: ignore[valid-type]
        description="pending, sent (emitted, not yet acknowledged), acked, failed or expired")
    attempts: int
    issued_by: str
    created_at: str
    acked_at: str | None
    result: dict[str, Any] | None


class CommandStates(BaseModel):
    commands: list[CommandState]


class ScreenshotOut(BaseModel):
    kiosk_id: str
    taken_at: str
    content_type: Literal[SCREENSHOT_TYPES]  # type: ignore[valid-type]
    bytes: int
    width: int
    height: int


class KioskIn(BaseModel):
    site_id: str = Field(min_length=1, max_length=64)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    kind: Literal[KIOSK_KINDS] = KIOSK_KINDS[0]  # type: ignore[valid-type]
    name: str = Field(default="", max_length=200)
    group: str | None = Field(default=None, max_length=64)


class KioskCreated(BaseModel):
    kiosk_id: str
    token: str


class PresenceChange(BaseModel):
    online: bool
    ts: str


class PresenceHistory(BaseModel):
    kiosk_id: str
    changes: list[PresenceChange]


class KioskTokenOut(BaseModel):
    """A kiosk's new token, shown once; the one it had stops working at once."""

    kiosk_id: str
    token: str = Field(description="the kiosk's new token (kt_...), stored only hashed")
