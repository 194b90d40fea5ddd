from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from immersive.catalog import DEFAULT_ASSETS
from immersive.errors import SpecError
from immersive.samples import SCENES
from immersive.spec import load_spec, validate_spec

ASSETS = DEFAULT_ASSETS


def good() -> dict:
    return copy.deepcopy(SCENES["mogao_cave"]())


def problems(data, base_dir: Path | None = ASSETS) -> dict[str, str]:
    with pytest.raises(SpecError) as info:
        validate_spec(data, base_dir=base_dir)
    return {p.path: p.message for p in info.value.problems}


@pytest.mark.parametrize("scene_id", sorted(SCENES))
def test_every_sample_spec_is_valid(scene_id):
    spec = load_spec(ASSETS / "scenes" / f"{scene_id}.json")
    assert spec.id == scene_id
    assert spec.hotspots and spec.camera.tour and spec.models


def test_a_wrong_spec_version_is_named():
    data = good()
    data["spec_version"] = 2
    assert problems(data) == {"$.spec_version": "should be 1, got 2"}


def test_missing_required_fields_are_all_named_at_once():
    found = problems({"spec_version": 1})
    assert {"$.id", "$.title", "$.duration_s", "$.models", "$.lights", "$.camera"} <= set(found)
    assert all(found[k] == "is required" for k in ("$.id", "$.title", "$.camera"))


def test_a_title_without_chinese_is_named():
    data = good()
    del data["title"]["zh"]
    assert problems(data) == {"$.title.zh": "is required"}


def test_an_unknown_language_is_named():
    data = good()
    data["hotspots"][0]["narration"]["fr"] = "Bonjour"
    assert problems(data) == {"$.hotspots[0].narration.fr": "unknown language (use en and zh)"}


def test_an_unknown_shape_is_named_with_the_known_ones():
    data = good()
    data["models"][0]["shape"] = "blob"
    found = problems(data)
    assert list(found) == ["$.models[0].shape"] and "'box'" in found["$.models[0].shape"]


def test_an_unknown_shape_parameter_is_named():
    data = good()
    data["models"][0]["params"]["colour"] = [1, 0, 0]
    assert list(problems(data)) == ["$.models[0].params.colour"]


def test_a_vector_of_the_wrong_length_is_named():
    data = good()
    data["models"][1]["pos"] = [0, 1]
    assert problems(data) == {"$.models[1].pos": "should be an array of 3 numbers, got array of 2"}


def test_a_non_number_inside_a_vector_is_named_by_index():
    data = good()
    data["camera"]["tour"][2]["look_at"] = [0, "up", 1]
    assert problems(data) == {"$.camera.tour[2].look_at[1]": "should be a number, got string"}


def test_an_unknown_material_and_parent_are_named():
    data = good()
    data["models"][0]["material"] = "gold_leaf"
    data["models"][9]["parent"] = "nowhere"
    found = problems(data)
    assert found["$.models[0].material"] == "unknown material 'gold_leaf'"
    assert found["$.models[9].parent"] == "unknown model id 'nowhere'"


def test_a_duplicate_model_id_is_named():
    data = good()
    data["models"][1]["id"] = data["models"][0]["id"]
    assert problems(data) == {"$.models[1].id": "duplicate model id 'floor'"}


def test_a_missing_texture_file_is_named_with_where_it_was_looked_for():
    data = good()
    data["materials"]["floor"]["texture"] = "textures/missing.png"
    found = problems(data)
    assert "file not found: textures/missing.png" in found["$.materials.floor.texture"]


def test_a_path_leaving_the_assets_folder_is_refused():
    data = good()
    data["ambient_audio"]["file"] = "../../etc/passwd"
    assert list(problems(data)) == ["$.ambient_audio.file"]


def test_a_bad_easing_and_negative_duration_are_named():
    data = good()
    data["camera"]["tour"][0]["easing"] = "bounce"
    data["camera"]["tour"][1]["duration_s"] = -1
    found = problems(data)
    assert set(found) == {"$.camera.tour[0].easing", "$.camera.tour[1].duration_s"}


def test_an_empty_tour_is_named():
    data = good()
    data["camera"]["tour"] = []
    assert problems(data) == {"$.camera.tour": "needs at least one waypoint"}


def test_far_before_near_is_named():
    data = good()
    data["camera"]["far"] = 0.01
    assert list(problems(data)) == ["$.camera.far"]


def test_a_point_light_without_a_position_is_named():
    data = good()
    del data["lights"][2]["pos"]
    assert problems(data) == {"$.lights[2].pos": "is required"}


def test_a_hotspot_with_a_zero_radius_and_a_duplicate_id_are_named():
    data = good()
    data["hotspots"][1]["radius"] = 0
    data["hotspots"][2]["id"] = data["hotspots"][0]["id"]
    found = problems(data)
    assert set(found) == {"$.hotspots[1].radius", "$.hotspots[2].id"}


def test_an_unknown_field_is_named():
    data = good()
    data["skybox"] = "clouds"
    assert problems(data) == {"$.skybox": "unknown field"}


def test_booleans_are_not_numbers():
    data = good()
    data["duration_s"] = True
    assert problems(data) == {"$.duration_s": "should be a number, got boolean"}


def test_the_error_names_the_file_and_lists_every_problem(tmp_path):
    (tmp_path / "scenes").mkdir()
    data = good()
    data["id"] = "bad_cave"
    data["spec_version"] = 0
    data["duration_s"] = -5
    path = tmp_path / "scenes" / "bad_cave.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    text = str(info.value)
    assert str(path) in text and "$.spec_version" in text and "$.duration_s" in text
    # the texture lookups are relative to this assets folder, where they do not exist
    assert "$.materials.mural_wall.texture" in text
    assert info.value.source == str(path)


def test_a_file_that_is_not_json_is_named(tmp_path):
    path = tmp_path / "scenes" / "x.json"
    path.parent.mkdir()
    path.write_text("{nope", encoding="utf-8")
    with pytest.raises(SpecError, match="not readable JSON") as info:
        load_spec(path)
    assert info.value.problems[0].path == "$"


def test_the_id_must_match_the_file_name(tmp_path):
    assets = tmp_path / "assets"
    shutil.copytree(ASSETS, assets)
    moved = assets / "scenes" / "other.json"
    (assets / "scenes" / "mogao_cave.json").rename(moved)
    with pytest.raises(SpecError) as info:
        load_spec(moved)
    assert [str(p) for p in info.value.problems] == [
        "$.id: should match the file name 'other', got 'mogao_cave'"]
