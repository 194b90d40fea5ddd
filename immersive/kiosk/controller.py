"""The kiosk's protocol and state logic, apart from Panda3D and the network.

:class:`KioskController` executes server commands (``docs/protocol.md``), drops repeated
``seq`` s, plays the camera tour, notices hotspots, runs the session timer and writes session
events to the outbox. Time comes from an injected clock, so tests drive it directly.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from immersive.catalog import SceneCatalog
from immersive.errors import ImmersiveError
from immersive.kiosk.outbox import Outbox
from immersive.kiosk.session import Banner, CommandError, Session, positive_number, utc_now
from immersive.kiosk.store import StateStore
from immersive.spec import Hotspot, SceneSpec
from immersive.tour import Vec3, hotspots_near, pose_at, tour_length

LANGUAGES = ("en", "zh")
ACK_MEMORY = 512  # how many executed seqs keep their ack for re-delivery
# actions that wait for the render loop (which takes the controller's lock every frame), so
# they run outside the lock
UNLOCKED_ACTIONS = ("screenshot",)


class KioskController:
    """Command handling, seq dedup, tour clock, hotspots, session timer and outbox.

    Thread-safe: the network thread calls :meth:`handle_command`, the render loop calls
    :meth:`tick` and reads the state.

    Examples
    --------
    >>> ctl = KioskController(SceneCatalog(), Outbox(":memory:"), clock=lambda: 0.0)
    >>> ctl.handle_command({"id": "c1", "seq": 1, "action": "load_scene",
    ...                     "args": {"scene": "mogao_cave", "experience_id": "x-mogao"}})
    {'ok': True}
    >>> ctl.state
    'attract'
    """

    def __init__(
        self,
        catalog: SceneCatalog,
        outbox: Outbox,
        store: StateStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        timestamp: Callable[[], str] = utc_now,
        on_event: Callable[[], None] | None = None,
        screenshot: Callable[[], Any] | None = None,
    ) -> None:
        self.catalog, self.outbox, self.store = catalog, outbox, store
        self.clock, self.timestamp, self.on_event = clock, timestamp, on_event
        self.screenshot = screenshot  # captures and uploads the frame; CommandError says why not
        self._lock = threading.RLock()
        self.spec: SceneSpec | None = None
        self.experience_id: str | None = None
        self.language = "en"
        self.playing = False  # the tour clock runs (attract loop or a played session)
        self.session: Session | None = None
        self.banner: Banner | None = None
        self.pairing: dict[str, Any] | None = None
        self.online = False
        self.refused: str | None = None  # why the server refused the last connection, shown
        self.tour_time = 0.0
        self.near: list[Hotspot] = []
        self._last_tick = clock()
        self._acks: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self.last_seq = 0
        self._restore()

    # -- persistence ---------------------------------------------------------------
    def _restore(self) -> None:
        if self.store is None:
            return
        self.last_seq = int(self.store.get("last_seq", 0) or 0)
        self.language = self.store.get("language", "en") if self.store.get(
            "language") in LANGUAGES else "en"
        scene = self.store.get("scene")
        if scene:
            try:
                self._load(scene, self.store.get("experience_id"))
                self.playing = True  # back in the scene's attract loop, as after load_scene
            except ImmersiveError:
                self.store.update(scene=None, experience_id=None)
        stale = self.store.get("session")
        if stale:  # the program stopped during a session: close it for the record
            self._emit("ended", stale.get("session_id"), stale.get("experience_id"),
                       completion=0.0, reason="restart")
            self.store.update(session=None)

    def _save(self) -> None:
        if self.store is None:
            return
        s = self.session
        self.store.update(
            last_seq=self.last_seq, language=self.language,
            scene=self.spec.id if self.spec else None, experience_id=self.experience_id,
            session={"session_id": s.session_id, "experience_id": s.experience_id} if s else None,
        )

    # -- state read by the app and the heartbeat -------------------------------------
    @property
    def scene_id(self) -> str | None:
        return self.spec.id if self.spec else None

    @property
    def state(self) -> str:
        """``idle`` (no scene), ``attract``, ``playing`` or ``paused``, as in the protocol."""
        with self._lock:
            if self.spec is None:
                return "idle"
            if not self.playing:
                return "paused"
            return "playing" if self.session else "attract"

    def heartbeat(self, fps: float) -> dict[str, Any]:
        """The payload of a ``heartbeat`` event."""
        with self._lock:
            return {
                "scene": self.scene_id, "state": self.state, "fps": round(float(fps), 1),
                "session_id": self.session.session_id if self.session else None,
                "experience_id": self.experience_id,
            }

    def camera_pose(self) -> tuple[Vec3, Vec3] | None:
        with self._lock:
            if self.spec is None:
                return None
            return pose_at(self.spec.camera.tour, self.tour_time)

    def narration(self) -> dict[str, str] | None:
        """Title and text of the nearest hotspot in the current language, if any."""
        with self._lock:
            if not self.near:
                return None
            spot = self.near[0]
            return {"id": spot.id, "title": spot.title[self.language],
                    "text": spot.narration[self.language]}

    def banner_text(self) -> str | None:
        with self._lock:
            if self.banner is None or self.clock() >= self.banner.until:
                return None
            return self.banner.text.get(self.language) or next(iter(self.banner.text.values()))

    def session_left_s(self) -> float | None:
        with self._lock:
            if self.session is None:
                return None
            return max(0.0, self.session.started + self.session.duration_s - self.clock())

    def show(self, scene_id: str, experience_id: str | None = None) -> None:
        """Show a scene in the attract loop without a server command (start-up default)."""
        with self._lock:
            self._load(scene_id, experience_id)
            self.playing = self.session is None
            self._save()

    # -- commands --------------------------------------------------------------------
    def start_numbering_again(self) -> None:
        """Forget executed seqs: a newly paired kiosk is a new kiosk to the server, whose
        commands are numbered from 1 again."""
        with self._lock:
            self._acks.clear()
            self.last_seq = 0
            self._save()

    def handle_command(self, command: Any) -> dict[str, Any]:
        """Execute a server ``command`` once and return its ack.

        A ``seq`` executed before is not run again; its first ack is returned.
        """
        with self._lock:
            early = self._answered(command)
            if early is not None:
                return early
            seq, action = command["seq"], command.get("action")
            if action not in UNLOCKED_ACTIONS:
                return self._remember(seq, self._run(action, command.get("args") or {}))
        return self._remember(seq, self._run_unlocked(action))

    def _answered(self, command: Any) -> dict[str, Any] | None:
        """The ack of a command that is malformed or was executed before; None for a new one."""
        if not isinstance(command, dict):
            return {"ok": False, "error": "command should be an object"}
        seq = command.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
            return {"ok": False, "error": f"command needs a positive integer seq, got {seq!r}"}
        if seq in self._acks:
            return dict(self._acks[seq])
        if self._acks and seq < next(iter(self._acks)) or (
            not self._acks and seq <= self.last_seq
        ):
            return {"ok": True}  # executed before a restart or long ago
        return None

    def _run(self, action: Any, args: Any) -> dict[str, Any]:
        try:
            self._execute(action, args)
            return {"ok": True}
        except CommandError as exc:
            return {"ok": False, "error": str(exc)}

    def _run_unlocked(self, action: str) -> dict[str, Any]:
        """A screenshot: the render loop must stay free to draw the frame it waits for."""
        if self.screenshot is None:
            return {"ok": False, "error": "this kiosk cannot take screenshots"}
        try:
            self.screenshot()
            return {"ok": True}
        except CommandError as exc:
            return {"ok": False, "error": str(exc)}
        except Exception as exc:  # noqa: BLE001 - any failure is the command's, said in its ack
            return {"ok": False, "error": f"{action} failed: {exc or type(exc).__name__}"}

    def _remember(self, seq: int, ack: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._acks[seq] = ack
            while len(self._acks) > ACK_MEMORY:
                self._acks.popitem(last=False)
            self.last_seq = max(self.last_seq, seq)
            self._save()
            return dict(ack)

    def _execute(self, action: Any, args: Any) -> None:
        if not isinstance(args, dict):
            raise CommandError("args should be an object")
        handlers: dict[str, Callable[[dict[str, Any]], None]] = {
            "load_scene": self._cmd_load_scene, "play": self._cmd_play, "pause": self._cmd_pause,
            "start_session": self._cmd_start_session,
            "extend_session": self._cmd_extend_session, "end_session": self._cmd_end_session,
            "announce": self._cmd_announce, "set_language": self._cmd_set_language,
        }
        if action not in handlers:
            raise CommandError(f"unknown action {action!r}")
        handlers[action](args)

    def _load(self, scene: Any, experience_id: Any) -> None:
        try:
            self.spec = self.catalog.spec(scene)
        except ImmersiveError as exc:
            raise CommandError(str(exc).splitlines()[0]) from exc
        self.experience_id = experience_id if isinstance(experience_id, str) else None
        self.tour_time, self.near = 0.0, []

    def _cmd_load_scene(self, args: dict[str, Any]) -> None:
        self._load(args.get("scene"), args.get("experience_id"))
        self.playing = self.session is None  # attract loop; a session waits for "play"

    def _need_scene(self) -> None:
        if self.spec is None:
            raise CommandError("no scene loaded")

    def _cmd_play(self, args: dict[str, Any]) -> None:
        self._need_scene()
        self.playing = True

    def _cmd_pause(self, args: dict[str, Any]) -> None:
        self._need_scene()
        self.playing = False

    def _cmd_start_session(self, args: dict[str, Any]) -> None:
        self._need_scene()
        session_id, duration = args.get("session_id"), args.get("duration_s", 600)
        if not isinstance(session_id, str) or not session_id:
            raise CommandError("start_session needs a session_id string")
        duration = positive_number(duration, "duration_s")
        if self.session is not None:
            self._end("replaced")
        self.session = Session(session_id, self.experience_id, self.clock(), duration)
        self.tour_time, self.near, self.playing = 0.0, [], True
        self._emit("started", session_id, self.experience_id, duration_s=duration)

    def _cmd_extend_session(self, args: dict[str, Any]) -> None:
        seconds = positive_number(args.get("seconds"), "seconds")
        if self.session is None:
            raise CommandError("no session is running")
        self.session.duration_s += seconds

    def _cmd_end_session(self, args: dict[str, Any]) -> None:
        if self.session is not None:
            self._end("command")

    def _cmd_announce(self, args: dict[str, Any]) -> None:
        text, duration = args.get("text"), args.get("duration_s", 10)
        if isinstance(text, str):
            text = {"en": text, "zh": text}
        if not isinstance(text, dict) or not any(
            isinstance(text.get(k), str) and text[k] for k in LANGUAGES
        ):
            raise CommandError("announce needs text {'en': ..., 'zh': ...}")
        until = self.clock() + positive_number(duration, "duration_s")
        clean = {k: v for k, v in text.items() if k in LANGUAGES and isinstance(v, str) and v}
        self.banner = Banner(clean, until)

    def _cmd_set_language(self, args: dict[str, Any]) -> None:
        lang = args.get("lang")
        if lang not in LANGUAGES:
            raise CommandError(f"lang should be one of {list(LANGUAGES)}, got {lang!r}")
        self.language = lang

    # -- the clock -------------------------------------------------------------------
    def tick(self) -> None:
        """Advance the tour, notice hotspots and end a session whose time is up."""
        with self._lock:
            now = self.clock()
            dt, self._last_tick = max(0.0, now - self._last_tick), now
            if self.session and now >= self.session.started + self.session.duration_s:
                self._end("timer")
                self._save()
            if self.spec is None:
                return
            if self.playing:
                self.tour_time += dt
                if self.session:
                    self.session.played_s += dt
            pos, _ = pose_at(self.spec.camera.tour, self.tour_time)
            near = hotspots_near(self.spec.hotspots, pos)
            if self.session:
                for spot in near:
                    if spot.id not in self.session.hotspots_seen:
                        self.session.hotspots_seen.add(spot.id)
                        self._emit("hotspot", self.session.session_id,
                                   self.session.experience_id, hotspot_id=spot.id)
            self.near = near

    def _end(self, reason: str) -> None:
        s = self.session
        assert s is not None and self.spec is not None
        length = tour_length(self.spec.camera.tour)
        completion = min(1.0, s.played_s / length) if length > 0 else 1.0
        self._emit("ended", s.session_id, s.experience_id, completion=round(completion, 3),
                   reason=reason)
        self.session = None
        self.tour_time, self.playing, self.near = 0.0, True, []  # back to the attract loop

    def _emit(self, event: str, session_id: Any, experience_id: Any, **extra: Any) -> None:
        payload = {
            "event_id": uuid.uuid4().hex, "event": event, "session_id": session_id,
            "experience_id": experience_id, "ts": self.timestamp(),
            "scene": self.scene_id, **extra,
        }
        self.outbox.add(payload)
        if self.on_event is not None:
            self.on_event()
