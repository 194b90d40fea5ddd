"""Kiosks, their commands (arguments per action), sessions and presence history."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, RootModel, create_model

from server.domain.fleet import MAX_TEXT_CHARS


class KioskOut(BaseModel):
    kiosk_id: str
    site_id: str | None
    name: str
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


class KioskList(BaseModel):
    kiosks: list[KioskOut]


class ApproveIn(BaseModel):
    code: str = Field(min_length=1, max_length=16, description="the pairing code on the kiosk's screen")
    site_id: str | None = Field(default=None, max_length=64)
    zone_id: str | None = Field(default=None, max_length=128)
    group: str | None = Field(default=None, max_length=64)


class NoArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoadSceneArgs(BaseModel):
    experience_id: str = Field(min_length=1, max_length=128)
    scene: str | None = Field(default=None, max_length=128)


class StartSessionArgs(BaseModel):
    duration_s: int = Field(gt=0, le=14400)
    session_id: str | None = Field(default=None, max_length=128)


class ExtendSessionArgs(BaseModel):
    seconds: int = Field(gt=0, le=14400)


Language = Literal["en", "zh"]
AnnounceText = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]


class AnnounceArgs(BaseModel):
    text: AnnounceText | dict[Language, AnnounceText] = Field(
        description=f"a message, or one per language (en, zh); at most {MAX_TEXT_CHARS} characters each")
    duration_s: int | None = Field(default=None, gt=0, le=3600)


class SetLanguageArgs(BaseModel):
    lang: Language


ARGS_OF: dict[str, type[BaseModel]] = {
    "load_scene": LoadSceneArgs, "play": NoArgs, "pause": NoArgs, "start_session": StartSessionArgs,
    "extend_session": ExtendSessionArgs, "end_session": NoArgs, "announce": AnnounceArgs,
    "set_language": SetLanguageArgs,
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
    """A kiosk command; ``args`` depend on the action (docs/protocol.md)."""

    def parts(self) -> tuple[str, dict[str, Any]]:
        return self.root.action, self.root.args.model_dump(exclude_none=True)


class GroupCommandIn(RootModel[_command_models(  # type: ignore[misc]
        {"group": (str, Field(min_length=1, max_length=64, description="a group, or * for all")),
         "exclude": (list[str], Field(default_factory=list))}, "GroupCommand")]):
    """A command for a group of kiosks minus the excluded ones."""

    def parts(self) -> tuple[str, dict[str, Any]]:
        return self.root.action, self.root.args.model_dump(exclude_none=True)


class CommandOut(BaseModel):
    id: str
    seq: int
    kiosk_id: str
    action: str
    args: dict[str, Any]


class CommandsOut(BaseModel):
    commands: list[CommandOut]


class SessionIn(BaseModel):
    duration_s: int = Field(gt=0, le=14400)
    experience_id: str | None = Field(default=None, max_length=128)


class ExtendIn(BaseModel):
    seconds: int = Field(gt=0, le=14400)


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
    status: str
    attempts: int
    issued_by: str
    created_at: str
    acked_at: str | None
    result: dict[str, Any] | None


class CommandStates(BaseModel):
    commands: list[CommandState]


class KioskIn(BaseModel):
    site_id: str = Field(min_length=1, max_length=64)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    kind: Literal["vr", "exhibition"] = "exhibition"
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
