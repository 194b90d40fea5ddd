"""Build a Panda3D scene graph from a :class:`~immersive.spec.SceneSpec`.

Pure ``NodePath`` work: no window, no ShowBase, no global ``render``. Rendering is done by
:mod:`immersive.offscreen` or the kiosk program.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from panda3d.core import (
    AmbientLight,
    DirectionalLight,
    Filename,
    GeomNode,
    Loader,
    LoaderOptions,
    NodePath,
    PointLight,
    SamplerState,
    Spotlight,
    Texture,
    TexturePool,
    TextureStage,
)

from immersive import meshes
from immersive.errors import ImmersiveError
from immersive.figures import FIGURES
from immersive.spec import Light, Material, Model, Placement, SceneSpec


@dataclass
class BuiltScene:
    """A built scene: its root, the node of each model id, and the spec it came from."""

    spec: SceneSpec
    root: NodePath
    models: dict[str, NodePath] = field(default_factory=dict)

    def instances(self, model_id: str) -> list[NodePath]:
        """The instance nodes of a model made with ``instances`` in its spec."""
        return [c for c in self.models[model_id].get_children() if c.has_tag("instance")]


def build_scene(spec: SceneSpec) -> BuiltScene:
    """Make the scene graph of ``spec`` under a new root ``NodePath``.

    Examples
    --------
    >>> from immersive.catalog import SceneCatalog
    >>> scene = build_scene(SceneCatalog().spec("mogao_cave"))
    >>> scene.root.find("**/niche").is_empty()
    False
    """
    root = NodePath(spec.id)
    root.set_tag("scene", spec.id)
    built = BuiltScene(spec=spec, root=root)
    for model in spec.models:
        parent = built.models[model.parent] if model.parent else root
        if model.parent and model.parent not in built.models:
            raise ImmersiveError(f"{spec.source}: model {model.id!r} is listed before its parent")
        built.models[model.id] = _build_model(spec, model, parent)
    lights = root.attach_new_node("lights")
    for light in spec.lights:
        root.set_light(_build_light(light, lights))
    hotspots = root.attach_new_node("hotspots")
    for spot in spec.hotspots:
        marker = hotspots.attach_new_node(f"hotspot-{spot.id}")
        marker.set_pos(*spot.pos)
        marker.set_tag("hotspot", spot.id)
    return built


def _place(node: NodePath, placement: Placement) -> None:
    node.set_pos(*placement.pos)
    node.set_hpr(*placement.hpr)
    node.set_scale(*placement.scale)


def _geometry(spec: SceneSpec, model: Model) -> NodePath:
    p = model.params
    if model.shape in FIGURES:
        return FIGURES[model.shape](**p)
    if model.shape == "group":
        return NodePath(model.id)
    if model.shape == "file":
        assert model.file is not None
        node = Loader.get_global_ptr().load_sync(
            Filename.from_os_specific(str(spec.resolve(model.file))),
            LoaderOptions(LoaderOptions.LF_no_cache),
        )
        if node is None:
            raise ImmersiveError(f"{spec.source}: model file {model.file!r} could not be loaded")
        return NodePath(node)
    makers: dict[str, Callable[..., GeomNode]] = {
        "box": meshes.box, "quad": meshes.quad, "wall_with_opening": meshes.wall_with_opening,
        "truncated_pyramid": meshes.truncated_pyramid, "cylinder": meshes.cylinder,
        "sphere": meshes.sphere, "disc": meshes.disc, "cliff": meshes.cliff,
    }
    return NodePath(makers[model.shape](**p))


def _build_model(spec: SceneSpec, model: Model, parent: NodePath) -> NodePath:
    geometry = _geometry(spec, model)
    if model.material is not None:
        # a figure keeps its own part colours; its material only tints it
        tint = model.shape in FIGURES or model.shape == "file"
        _apply_material(spec, spec.materials[model.material], geometry, tint)
    if not model.instances:
        geometry.set_name(model.id)
        geometry.reparent_to(parent)
        _place(geometry, model.placement)
        return geometry
    group = parent.attach_new_node(model.id)
    _place(group, model.placement)
    geometry.set_name(f"{model.id}-prototype")
    for k, placement in enumerate(model.instances):
        holder = group.attach_new_node(f"{model.id}-{k}")
        holder.set_tag("instance", str(k))
        _place(holder, placement)
        geometry.instance_to(holder)
    return group


def _apply_material(spec: SceneSpec, mat: Material, node: NodePath, tint: bool) -> None:
    if tint:
        node.set_color_scale(*mat.color)
    else:
        node.set_color(*mat.color)
    if mat.texture:
        tex = load_texture(str(spec.resolve(mat.texture)))
        node.set_texture(tex)
        node.set_tex_scale(_default_stage(), *mat.tex_scale)
    if mat.two_sided:
        node.set_two_sided(True)
    if mat.unlit:
        node.set_light_off(1)


def _default_stage() -> TextureStage:
    return TextureStage.get_default()


def load_texture(path: str) -> Texture:
    """Load (once per process) a texture with linear filtering and no mipmaps.

    Linear without mipmaps keeps the software renderer fast and the output stable.
    """
    tex = TexturePool.load_texture(Filename.from_os_specific(path))
    if tex is None:
        raise ImmersiveError(f"texture could not be loaded: {path}")
    tex.set_minfilter(SamplerState.FT_linear)
    tex.set_magfilter(SamplerState.FT_linear)
    tex.set_wrap_u(SamplerState.WM_repeat)
    tex.set_wrap_v(SamplerState.WM_repeat)
    return tex


def _build_light(light: Light, parent: NodePath) -> NodePath:
    color = (*light.color, 1.0)
    if light.type == "ambient":
        node = AmbientLight(light.id)
    elif light.type == "directional":
        node = DirectionalLight(light.id)
    elif light.type == "point":
        node = PointLight(light.id)
        node.set_attenuation(light.attenuation)
    else:
        node = Spotlight(light.id)
        node.set_attenuation(light.attenuation)
        node.get_lens().set_fov(light.fov)
    node.set_color(color)
    np_ = parent.attach_new_node(node)
    if light.pos is not None:
        np_.set_pos(*light.pos)
    if light.look_at is not None:
        np_.look_at(*light.look_at)
    return np_
