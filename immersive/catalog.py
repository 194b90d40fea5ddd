"""Find scene specs by id in an assets folder."""

from __future__ import annotations

from pathlib import Path

from immersive.errors import UnknownSceneError
from immersive.spec import SceneSpec, load_spec
from immersive.spec_model import ID_PATTERN

DEFAULT_ASSETS = Path(__file__).resolve().parent.parent / "assets_sample"


class SceneCatalog:
    """The scenes of one assets folder (``<assets>/scenes/<scene_id>.json``), loaded once each.

    Examples
    --------
    >>> catalog = SceneCatalog()
    >>> "mogao_cave" in catalog.scene_ids()
    True
    """

    def __init__(self, assets_dir: str | Path | None = None) -> None:
        self.assets_dir = Path(assets_dir) if assets_dir else DEFAULT_ASSETS
        self._specs: dict[str, SceneSpec] = {}

    def path(self, scene_id: str) -> Path:
        """The spec file of a scene id; raises :class:`UnknownSceneError` if there is none."""
        if not isinstance(scene_id, str) or not ID_PATTERN.match(scene_id):
            raise UnknownSceneError(f"not a scene id: {scene_id!r}")
        path = self.assets_dir / "scenes" / f"{scene_id}.json"
        if not path.is_file():
            raise UnknownSceneError(f"unknown scene {scene_id!r} (no {path})")
        return path

    def spec(self, scene_id: str) -> SceneSpec:
        """The validated spec of a scene id (cached)."""
        if scene_id not in self._specs:
            self._specs[scene_id] = load_spec(self.path(scene_id))
        return self._specs[scene_id]

    def scene_ids(self) -> list[str]:
        return sorted(p.stem for p in (self.assets_dir / "scenes").glob("*.json"))


def resolve_spec_path(scene_or_spec: str, assets_dir: str | Path | None = None) -> Path:
    """A spec path from either a file path or a scene id of the assets folder.

    Examples
    --------
    >>> resolve_spec_path("mogao_cave").name
    'mogao_cave.json'
    """
    if scene_or_spec.endswith(".json") or "/" in scene_or_spec:
        return Path(scene_or_spec)
    return SceneCatalog(assets_dir).path(scene_or_spec)
