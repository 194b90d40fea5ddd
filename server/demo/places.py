"""Where in a zone a visitor can stand: pools of points inside each zone a party visits (not in
any of its children, so a visitor walking an area is never counted in a cave they did not
enter, nor on the no-access mound), and points on the way between two areas. Every point is
checked with the geo engine: it classifies to its place and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from server.demo.visiting import SitePattern
from server.storage.zone_index import SiteZones

POOL_SIZE = 512  # points a place
TRANSIT_POINTS = 256  # points tried on the way between two areas
ROW_DEG = 2e-4  # pools are sorted in rows of about 20 m, so nearby indices are nearby points


@dataclass
class Places:
    """Point pools, one a place. Places ``0 .. n-1`` are the zones (as the index numbers
    them); places from ``n`` on are transits between two areas."""

    lon: np.ndarray
    lat: np.ndarray
    offset: np.ndarray  # place -> first point in lon/lat
    size: np.ndarray  # place -> points (0: nobody stands there)
    zone: np.ndarray  # place -> the zone a visitor there is counted in
    transit: dict[tuple[int, int], int]  # (area, area) in either order -> place

    def between(self, a: int, b: int) -> int | None:
        return self.transit.get((a, b)) if a != b else None

    def points(self, place: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ``index``-th point (modulo the pool) of each ``place``."""
        at = self.offset[place] + np.mod(index, self.size[place])
        return self.lon[at], self.lat[at]


def _sorted(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((lon, np.floor(lat / ROW_DEG)))
    return lon[order], lat[order]


def _sample(geom: object, code: int, site: SiteZones, rng: np.random.Generator,
            ) -> tuple[np.ndarray, np.ndarray]:
    minx, miny, maxx, maxy = shapely.bounds(geom)
    lon = np.empty(0)
    lat = np.empty(0)
    for _ in range(40):
        x = rng.uniform(minx, maxx, 4 * POOL_SIZE)
        y = rng.uniform(miny, maxy, 4 * POOL_SIZE)
        keep = shapely.contains_xy(geom, x, y)
        x, y = x[keep], y[keep]
        keep = site.index.classify_codes(x, y) == code
        lon, lat = np.concatenate([lon, x[keep]]), np.concatenate([lat, y[keep]])
        if len(lon) >= POOL_SIZE:
            break
    return _sorted(lon[:POOL_SIZE], lat[:POOL_SIZE])


def build_places(site: SiteZones, pattern: SitePattern, rng: np.random.Generator) -> Places:
    """Point pools of every place of ``pattern``'s route (deterministic for a given ``rng``)."""
    frame = site.geo_zones.frame
    ids = site.index.ids
    geoms = dict(zip((str(z) for z in frame["id"]), frame.geometry, strict=True))
    parent = np.asarray(pattern.parent)
    wanted = [pattern.gate.code] + [a.code for a in pattern.route] + [
        s.code for a in pattern.route for s in a.stops]
    pools: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for code in sorted(set(wanted)):
        children = [geoms[ids[c]] for c in np.flatnonzero(parent == code)]
        own = geoms[ids[code]]
        if children:
            own = shapely.difference(own, shapely.union_all(children))
        shapely.prepare(own)
        pools[code] = _sample(own, code, site, rng)
    transit: dict[tuple[int, int], int] = {}
    areas = [a.code for a in pattern.route]
    pairs = {tuple(sorted(p)) for p in zip(areas, areas[1:], strict=False)}
    pairs |= {tuple(sorted((a, areas[0]))) for a in areas[1:]}
    next_code = len(ids)
    for a, b in sorted(pairs):
        if a == b or parent[a] != parent[b] or parent[a] < 0:
            continue
        start = np.asarray(shapely.get_coordinates(shapely.point_on_surface(geoms[ids[a]])))[0]
        end = np.asarray(shapely.get_coordinates(shapely.point_on_surface(geoms[ids[b]])))[0]
        f = rng.uniform(0.0, 1.0, TRANSIT_POINTS)
        x = start[0] + (end[0] - start[0]) * f + rng.normal(0, 2e-5, TRANSIT_POINTS)
        y = start[1] + (end[1] - start[1]) * f + rng.normal(0, 2e-5, TRANSIT_POINTS)
        keep = site.index.classify_codes(x, y) == parent[a]  # on the way, in no other zone
        if keep.sum() >= 8:
            pools[next_code] = (x[keep][np.argsort(f[keep])], y[keep][np.argsort(f[keep])])
            transit[(a, b)] = transit[(b, a)] = next_code
            next_code += 1
    n = next_code
    size = np.zeros(n, dtype=np.int64)
    offset = np.zeros(n, dtype=np.int64)
    zone = np.arange(n, dtype=np.int64)
    for (a, _b), code in transit.items():
        zone[code] = parent[a]
    lon_parts, lat_parts, at = [], [], 0
    for code in range(n):
        x, y = pools.get(code, (np.empty(0), np.empty(0)))
        offset[code], size[code] = at, len(x)
        lon_parts.append(x)
        lat_parts.append(y)
        at += len(x)
    empty = [ids[c] for c in wanted if size[c] == 0]
    if empty:
        raise ValueError(f"site {site.site_id}: no room to stand in zone(s) {', '.join(empty)} "
                         f"(all of it is covered by child zones)")
    return Places(np.concatenate(lon_parts), np.concatenate(lat_parts), offset,
                  np.maximum(size, 1), zone, transit)
