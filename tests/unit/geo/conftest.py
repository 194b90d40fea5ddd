"""Fixtures of the geo tests: a small valid site near the Mogao Grottoes."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pytest
from geo_fixtures import CAVE, CC, PR, VA1, VA2, collection, site_features


@pytest.fixture
def site_fc() -> dict[str, Any]:
    return collection(*site_features())


@pytest.fixture
def site_gdf(site_fc: dict[str, Any]) -> gpd.GeoDataFrame:
    rows = [f["properties"] for f in site_fc["features"]]
    geoms = [PR, CC, VA1, VA2, CAVE]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")
