"""Primitive meshes built as Panda3D ``GeomNode`` s: pure geometry, no scene or window.

Conventions: Z is up; flat pieces (quads, walls, discs, cliffs) lie in the XZ plane and face
-Y, the direction a camera at the entrance looks from. UVs are in metres divided by the
piece's size, so a material's ``tex_scale`` sets the repeat.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from panda3d.core import (
    Geom,
    GeomNode,
    GeomTriangles,
    GeomVertexData,
    GeomVertexFormat,
    GeomVertexWriter,
    LVector3f,
)

Vec = Sequence[float]


class MeshBuilder:
    """Accumulates triangles with normals and UVs, then makes one ``GeomNode``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.verts: list[tuple[float, ...]] = []
        self.tris: list[tuple[int, int, int]] = []

    def vertex(self, pos: Vec, normal: Vec, uv: Vec) -> int:
        self.verts.append((*pos, *normal, *uv))
        return len(self.verts) - 1

    def quad(self, p: Sequence[Vec], uv: Sequence[Vec] | None = None, flip: bool = False) -> None:
        """Add a planar quad with corners counter-clockwise as seen from its front."""
        if flip:
            p = [p[0], p[3], p[2], p[1]]
            uv = [uv[0], uv[3], uv[2], uv[1]] if uv else None
        uv = uv or [(0, 0), (1, 0), (1, 1), (0, 1)]
        n = face_normal(p[0], p[1], p[3])
        idx = [self.vertex(p[i], n, uv[i]) for i in range(4)]
        self.tris += [(idx[0], idx[1], idx[2]), (idx[0], idx[2], idx[3])]

    def build(self) -> GeomNode:
        vdata = GeomVertexData(self.name, GeomVertexFormat.get_v3n3t2(), Geom.UH_static)
        vdata.set_num_rows(len(self.verts))
        vw, nw, tw = (GeomVertexWriter(vdata, c) for c in ("vertex", "normal", "texcoord"))
        for v in self.verts:
            vw.add_data3(v[0], v[1], v[2])
            nw.add_data3(v[3], v[4], v[5])
            tw.add_data2(v[6], v[7])
        prim = GeomTriangles(Geom.UH_static)
        for a, b, c in self.tris:
            prim.add_vertices(a, b, c)
        geom = Geom(vdata)
        geom.add_primitive(prim)
        node = GeomNode(self.name)
        node.add_geom(geom)
        return node


def face_normal(a: Vec, b: Vec, c: Vec) -> tuple[float, float, float]:
    n = (LVector3f(*b) - LVector3f(*a)).cross(LVector3f(*c) - LVector3f(*a))
    n.normalize()
    return (n.x, n.y, n.z)


def quad(size: Vec = (1.0, 1.0)) -> GeomNode:
    """A ``w x h`` rectangle centred on the origin, facing -Y.

    Examples
    --------
    >>> quad((2.0, 1.0)).get_num_geoms()
    1
    """
    w, h = size[0] / 2, size[1] / 2
    mb = MeshBuilder("quad")
    mb.quad([(-w, 0, -h), (w, 0, -h), (w, 0, h), (-w, 0, h)])
    return mb.build()


def box(size: Vec = (1.0, 1.0, 1.0), inward: bool = False) -> GeomNode:
    """A box centred on the origin; ``inward=True`` faces its sides inward (a room).

    Examples
    --------
    >>> box((1, 2, 3)).get_geom(0).get_primitive(0).get_num_primitives()
    12
    """
    x, y, z = (s / 2 for s in size)
    mb = MeshBuilder("box")
    c = [(-x, -y, -z), (x, -y, -z), (x, y, -z), (-x, y, -z),
         (-x, -y, z), (x, -y, z), (x, y, z), (-x, y, z)]
    sx, sy, sz = size
    faces = [  # outward, counter-clockwise, with the face's metric extent for UVs
        ((0, 1, 5, 4), sx, sz), ((1, 2, 6, 5), sy, sz), ((2, 3, 7, 6), sx, sz),
        ((3, 0, 4, 7), sy, sz), ((4, 5, 6, 7), sx, sy), ((3, 2, 1, 0), sx, sy),
    ]
    for idx, u, v in faces:
        uv = [(0, 0), (u, 0), (u, v), (0, v)]
        mb.quad([c[i] for i in idx], [(a / max(u, v), b / max(u, v)) for a, b in uv], flip=inward)
    return mb.build()


def wall_with_opening(size: Vec, opening: Vec) -> GeomNode:
    """A wall ``w x h`` (bottom centre at the origin, facing -Y) with a rectangular hole.

    ``opening`` is ``[x0, x1, z0, z1]`` in the wall's own coordinates.

    Examples
    --------
    >>> wall_with_opening((4, 3), (-1, 1, 0.5, 2.5)).get_num_geoms()
    1
    """
    w, h = size
    x0, x1, z0, z1 = opening
    mb = MeshBuilder("wall")
    hw = w / 2
    for a, b, c, d in [(-hw, x0, 0, h), (x1, hw, 0, h), (x0, x1, 0, z0), (x0, x1, z1, h)]:
        if b - a > 1e-6 and d - c > 1e-6:
            pts = [(a, 0, c), (b, 0, c), (b, 0, d), (a, 0, d)]
            mb.quad(pts, [((px + hw) / w, pz / h) for px, _, pz in pts])
    return mb.build()


def truncated_pyramid(
    bottom: Vec, top: Vec, height: float, inward: bool = True
) -> GeomNode:
    """Four sloped sides from a ``bottom`` rectangle at z=0 to a ``top`` one at ``height``.

    With ``inward=True`` the faces look inside: the truncated-pyramid (覆斗) ceiling of a cave.

    Examples
    --------
    >>> truncated_pyramid((8, 8), (2, 2), 2.5).get_geom(0).get_primitive(0).get_num_primitives()
    8
    """
    bx, by = bottom[0] / 2, bottom[1] / 2
    tx, ty = top[0] / 2, top[1] / 2
    lo = [(-bx, -by, 0), (bx, -by, 0), (bx, by, 0), (-bx, by, 0)]
    hi = [(-tx, -ty, height), (tx, -ty, height), (tx, ty, height), (-tx, ty, height)]
    mb = MeshBuilder("pyramid")
    inset = ((bottom[0] - top[0]) / 2 / bottom[0], 0.0)
    for i in range(4):
        j = (i + 1) % 4
        uv = [(0, 0), (1, 0), (1 - inset[0], 1), (inset[0], 1)]
        mb.quad([lo[i], lo[j], hi[j], hi[i]], uv, flip=inward)
    return mb.build()


def cylinder(
    radius: float = 0.5,
    radius_top: float | None = None,
    height: float = 1.0,
    segments: int = 12,
    caps: bool = True,
) -> GeomNode:
    """A (possibly tapered) cylinder standing on the origin along +Z.

    Examples
    --------
    >>> cylinder(0.5, 0.2, 2.0, segments=8).get_num_geoms()
    1
    """
    rt = radius if radius_top is None else radius_top
    segments = max(3, int(segments))
    mb = MeshBuilder("cylinder")
    slope = (radius - rt) / height if height else 0.0
    for i in range(segments):
        a0, a1 = (2 * math.pi * k / segments for k in (i, i + 1))
        p = [(radius * math.cos(a0), radius * math.sin(a0), 0),
             (radius * math.cos(a1), radius * math.sin(a1), 0),
             (rt * math.cos(a1), rt * math.sin(a1), height),
             (rt * math.cos(a0), rt * math.sin(a0), height)]
        ns = [_unit((math.cos(a), math.sin(a), slope)) for a in (a0, a1, a1, a0)]
        uvs = [(i / segments, 0), ((i + 1) / segments, 0), ((i + 1) / segments, 1),
               (i / segments, 1)]
        idx = [mb.vertex(p[k], ns[k], uvs[k]) for k in range(4)]
        mb.tris += [(idx[0], idx[1], idx[2]), (idx[0], idx[2], idx[3])]
        if caps:
            for z, r, up in ((0.0, radius, False), (height, rt, True)):
                if r <= 0:
                    continue
                n = (0, 0, 1 if up else -1)
                c = mb.vertex((0, 0, z), n, (0.5, 0.5))
                e0 = mb.vertex((r * math.cos(a0), r * math.sin(a0), z), n, (0.5, 0.5))
                e1 = mb.vertex((r * math.cos(a1), r * math.sin(a1), z), n, (0.5, 0.5))
                mb.tris.append((c, e0, e1) if up else (c, e1, e0))
    return mb.build()


def sphere(radius: float = 0.5, segments: int = 12, rings: int = 8) -> GeomNode:
    """A UV sphere centred on the origin.

    Examples
    --------
    >>> sphere(1.0, 8, 6).get_num_geoms()
    1
    """
    segments, rings = max(3, int(segments)), max(2, int(rings))
    mb = MeshBuilder("sphere")
    grid: list[list[int]] = []
    for r in range(rings + 1):
        theta = math.pi * r / rings
        row = []
        for s in range(segments + 1):
            phi = 2 * math.pi * s / segments
            n = (math.sin(theta) * math.cos(phi), math.sin(theta) * math.sin(phi), -math.cos(theta))
            row.append(mb.vertex([radius * k for k in n], n, (s / segments, r / rings)))
        grid.append(row)
    for r in range(rings):
        for s in range(segments):
            a, b, c, d = grid[r][s], grid[r][s + 1], grid[r + 1][s + 1], grid[r + 1][s]
            mb.tris += [(a, b, c), (a, c, d)]
    return mb.build()


def disc(radius: float = 0.5, segments: int = 16) -> GeomNode:
    """A flat disc centred on the origin in the XZ plane, facing -Y (a halo).

    Examples
    --------
    >>> disc(1.0, 8).get_geom(0).get_primitive(0).get_num_primitives()
    8
    """
    segments = max(3, int(segments))
    mb = MeshBuilder("disc")
    n = (0, -1, 0)
    c = mb.vertex((0, 0, 0), n, (0.5, 0.5))
    ring = [mb.vertex((radius * math.cos(a), 0, radius * math.sin(a)), n,
                      (0.5 + 0.5 * math.cos(a), 0.5 + 0.5 * math.sin(a)))
            for a in (2 * math.pi * k / segments for k in range(segments + 1))]
    for k in range(segments):
        mb.tris.append((c, ring[k], ring[k + 1]))
    return mb.build()


def cliff(
    size: Vec = (20.0, 15.0), relief: float = 0.8, cells: Vec = (24, 18), seed: int = 1
) -> GeomNode:
    """A rough rock face (bottom centre at the origin, facing -Y) from seeded value noise.

    Deterministic: the same ``seed`` gives the same vertices.

    Examples
    --------
    >>> cliff((4, 3), 0.2, (4, 3), seed=7).get_geom(0).get_vertex_data().get_num_rows()
    20
    """
    w, h = size
    nx, nz = max(1, int(cells[0])), max(1, int(cells[1]))
    rng = np.random.default_rng(seed)
    depth = rng.random((nz + 1, nx + 1))
    coarse = rng.random((nz // 4 + 2, nx // 4 + 2))
    depth = 0.4 * depth + np.kron(coarse, np.ones((4, 4)))[: nz + 1, : nx + 1]
    depth = (depth - depth.mean()) * relief
    xs = np.linspace(-w / 2, w / 2, nx + 1)
    zs = np.linspace(0, h, nz + 1)
    gz, gx = np.gradient(depth, zs, xs)
    mb = MeshBuilder("cliff")
    for j in range(nz + 1):
        for i in range(nx + 1):
            n = _unit((gx[j, i], -1.0, gz[j, i]))
            mb.vertex((xs[i], depth[j, i], zs[j]), n, (i / nx, j / nz))
    for j in range(nz):
        for i in range(nx):
            a = j * (nx + 1) + i
            b, c, d = a + 1, a + nx + 2, a + nx + 1
            mb.tris += [(a, b, c), (a, c, d)]
    return mb.build()


def _unit(v: Vec) -> tuple[float, float, float]:
    length = math.sqrt(sum(c * c for c in v)) or 1.0
    return (v[0] / length, v[1] / length, v[2] / length)
