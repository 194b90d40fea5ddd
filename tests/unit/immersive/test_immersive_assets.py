from __future__ import annotations

from immersive.catalog import DEFAULT_ASSETS
from immersive.samples import build_assets


def test_build_assets_is_deterministic_and_matches_the_committed_assets(tmp_path):
    first = build_assets(tmp_path / "a")
    second = build_assets(tmp_path / "b")
    rel = [p.relative_to(tmp_path / "a") for p in first]
    assert rel == [p.relative_to(tmp_path / "b") for p in second]
    for r in rel:
        data = (tmp_path / "a" / r).read_bytes()
        assert data == (tmp_path / "b" / r).read_bytes(), r
        assert data == (DEFAULT_ASSETS / r).read_bytes(), f"{r} is stale: run build-assets"


def test_the_sample_assets_stay_under_five_megabytes():
    total = sum(p.stat().st_size for p in DEFAULT_ASSETS.rglob("*") if p.is_file())
    assert total < 5_000_000
