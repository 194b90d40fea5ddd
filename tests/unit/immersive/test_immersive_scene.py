from __future__ import annotations

import builtins

import pytest
from panda3d.core import GeomNode

from immersive.catalog import SceneCatalog
from immersive.samples.terracotta import CORRIDORS, FILES, ROWS, VANGUARD
from immersive.scene import build_scene
from immersive.spec import validate_spec


@pytest.fixture(scope="module")
def catalog() -> SceneCatalog:
    return SceneCatalog()


def test_the_pit_has_every_warrior_as_an_instance_of_one_prototype(catalog):
    scene = build_scene(catalog.spec("terracotta_pit"))
    warriors = scene.instances("warriors")
    assert len(warriors) == VANGUARD + len(CORRIDORS) * ROWS * len(FILES)
    prototype = scene.root.find("**/warriors-prototype")
    assert prototype.node().get_num_parents() == len(warriors)
    assert len(scene.instances("horses")) == 4
    assert len(scene.instances("partition_walls")) == 3


def test_the_cave_has_a_niche_with_the_seated_figure_inside(catalog):
    scene = build_scene(catalog.spec("mogao_cave"))
    niche = scene.root.find("**/niche")
    assert not niche.is_empty()
    buddha = niche.find("buddha")
    assert not buddha.is_empty()
    assert buddha.get_pos(scene.root).y > 4.0  # behind the west wall's opening
    assert len(scene.instances("attendants")) == 2
    for model_id in ("ceiling", "caisson", "back_wall"):
        assert not scene.root.find(f"**/{model_id}").is_empty()


def test_the_cliff_niche_has_a_colossal_figure_and_attendants(catalog):
    scene = build_scene(catalog.spec("longmen_niche"))
    low, high = scene.models["vairocana"].get_tight_bounds(scene.root)
    assert high.z - low.z > 12
    attendants = [m for m in scene.models if m.startswith(("disciple", "bodhisattva",
                                                           "heavenly", "guardian"))]
    assert len(attendants) == 8


def test_lights_and_hotspot_markers_are_in_the_graph(catalog):
    spec = catalog.spec("mogao_cave")
    scene = build_scene(spec)
    assert scene.root.find("lights").get_num_children() == len(spec.lights)
    markers = scene.root.find("hotspots").get_children()
    assert sorted(m.get_tag("hotspot") for m in markers) == sorted(h.id for h in spec.hotspots)


def test_building_a_scene_uses_no_showbase_globals(catalog):
    build_scene(catalog.spec("mogao_cave"))
    assert not any(hasattr(builtins, name) for name in ("base", "render", "loader"))


def test_a_model_can_come_from_an_egg_file(tmp_path):
    egg = tmp_path / "models" / "tri.egg"
    egg.parent.mkdir()
    egg.write_text(
        "<CoordinateSystem> { Z-up }\n<VertexPool> v { <Vertex> 0 { 0 0 0 } <Vertex> 1 { 1 0 0 }"
        " <Vertex> 2 { 0 0 1 } }\n<Polygon> { <VertexRef> { 0 1 2 <Ref> { v } } }\n"
    )
    data = {
        "spec_version": 1, "id": "tri", "title": {"en": "T", "zh": "三"}, "duration_s": 10,
        "models": [{"id": "tri", "shape": "file", "file": "models/tri.egg"}],
        "lights": [], "camera": {"tour": [{"pos": [0, -3, 0], "look_at": [0, 0, 0],
                                           "duration_s": 1}]},
    }
    scene = build_scene(validate_spec(data, base_dir=tmp_path))
    geoms = scene.root.find_all_matches("**/+GeomNode")
    assert geoms.get_num_paths() >= 1
    assert isinstance(geoms.get_path(0).node(), GeomNode)
