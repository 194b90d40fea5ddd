"""Cave air from physics: one well-mixed box per monitored zone, fed by its visitors and
exchanging air with the outdoors, plus walls that hold the rock's temperature.

For a zone of volume ``V`` (m3) with ``N`` visitors and ``lam`` air changes an hour:

    dC/dt = G N / V - lam (C - C_out)            CO2, as a volume fraction (x 1e6: ppm)
    dW/dt = g N / V - lam (W - W_out)            water vapour, g/m3
    dT/dt = P N / (rho c V) - lam (T - T_out) - h (T - T_wall)

with ``G`` = 0.018 m3/h of CO2 a person (about 0.3 L/min), ``g`` = 30 g/h of water vapour
(12-43 g/h by activity), ``P`` = 70 W of sensible heat, ``rho c`` = 1206 J/(m3 K) and ``h``
the walls' exchange rate. The walls of a cave or niche hold the rock's temperature (the
site's annual mean); those of a pit or hall, under a building, the day's mean outdoor
temperature. ``N`` is constant within a minute, so each minute is an exact
exponential step. Relative humidity is ``W`` over the saturation vapour density at ``T``
(Magnus formula). The outdoors follow the site's climate normals: a seasonal and a daily
cosine, a random anomaly a day (interpolated between noons, so days join smoothly), and
outdoor CO2 near 420 ppm, a little higher at night. Sensors add a fixed bias each and noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from server.demo.demand import MINUTES_A_DAY

READING_INTERVAL_S = 300  # each sensor reads every 5 minutes, day and night
CO2_M3_PER_H = 0.018  # exhaled CO2 a person
VAPOUR_G_PER_H = 30.0  # water vapour a person
SENSIBLE_HEAT_W = 70.0  # heat a person gives the air
AIR_HEAT_J_PER_M3K = 1206.0  # density x heat capacity of air
WALL_EXCHANGE_PER_H = {"cave": 8.0, "niche": 2.0, "pit": 4.0, "hall": 4.0}
IN_ROCK = ("cave", "niche")  # walls at the rock's temperature; others at the day's mean
DEFAULT_HEIGHT_M = 4.0  # a zone without ``volume_m3``: its floor area x this
DEFAULT_EXCHANGE_PER_H = 1.0  # a zone without ``air_exchange_per_h``
WARMEST_DAY = 200  # day of the year of the seasonal maximum (mid July)
WARMEST_HOUR = 15.0  # of the daily maximum (outdoor RH is lowest then)
CO2_NIGHT_SWING_PPM = 10.0  # outdoor CO2 is this much above its mean at night, below by day
WEATHER_SD = (2.5, 8.0)  # daily anomaly of outdoor temperature (K) and RH (points)
SENSOR_NOISE = {"temperature_c": 0.1, "relative_humidity": 1.0, "co2_ppm": 15.0}
SENSOR_BIAS = {"temperature_c": 0.2, "relative_humidity": 1.5, "co2_ppm": 10.0}
DECIMALS = {"temperature_c": 2, "relative_humidity": 1, "co2_ppm": 0}


def saturation_vapour_g_m3(t_c: np.ndarray | float) -> np.ndarray:
    """Water vapour density of saturated air at ``t_c`` (Magnus formula), g/m3."""
    t = np.asarray(t_c, dtype=np.float64)
    pressure_pa = 611.2 * np.exp(17.62 * t / (243.12 + t))
    return pressure_pa / (461.5 * (t + 273.15)) * 1000.0


@dataclass(frozen=True)
class Box:
    zone_id: str
    code: int
    volume_m3: float
    exchange_per_h: float
    wall_per_h: float
    in_rock: bool
    sensors: tuple[tuple[str, tuple[str, ...]], ...]  # (sensor id, metrics)


def box_of(zone_id: str, code: int, zone: dict[str, Any], area_m2: float,
           sensors: list[tuple[str, tuple[str, ...]]]) -> Box:
    props = zone.get("properties") or {}
    volume = float(props.get("volume_m3") or area_m2 * DEFAULT_HEIGHT_M)
    exchange = float(props.get("air_exchange_per_h") or DEFAULT_EXCHANGE_PER_H)
    return Box(zone_id, code, volume, exchange, WALL_EXCHANGE_PER_H.get(zone["kind"], 1.0),
               zone["kind"] in IN_ROCK, tuple(sensors))


def weather_anomaly(key: tuple[int, ...], day: date) -> np.ndarray:
    """The day's outdoor anomaly (temperature K, RH points), fixed by ``key`` and the date."""
    rng = np.random.default_rng([*key, day.toordinal()])
    return rng.normal(0.0, 1.0, 2) * np.asarray(WEATHER_SD)


def outdoor(climate: dict[str, float], day: date, key: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Outdoor temperature, RH and CO2 at every minute of ``day`` and the next midnight."""
    m = np.arange(MINUTES_A_DAY + 1, dtype=np.float64)
    before, today, after = (weather_anomaly(key, day + timedelta(days=d)) for d in (-1, 0, 1))
    # anomalies hold at noon and are interpolated between noons
    f = ((m - 720.0) / 1440.0)[:, None]
    anomaly = np.where(f < 0, today + (today - before) * f, today + (after - today) * f)
    season = math.cos(2 * math.pi * (day.timetuple().tm_yday - WARMEST_DAY) / 365.25)
    daily = np.cos(2 * np.pi * (m / 60.0 - WARMEST_HOUR) / 24.0)
    temperature = (climate["temperature_mean_c"] + climate["temperature_seasonal_amplitude_c"]
                   * season + climate["temperature_daily_range_c"] / 2 * daily + anomaly[:, 0])
    rh = np.clip(climate["relative_humidity_mean"] + anomaly[:, 1]
                 - climate["relative_humidity_daily_range"] / 2 * daily, 5.0, 100.0)
    co2 = climate["co2_ppm"] - CO2_NIGHT_SWING_PPM * daily
    return temperature, rh, co2


class CaveAir:
    """The air of a site's monitored zones through one day, advanced minute by minute."""

    def __init__(self, boxes: list[Box], climate: dict[str, float], day: date,
                 key: tuple[int, ...]) -> None:
        self.boxes = boxes
        self.t_out, rh_out, self.c_out = outdoor(climate, day, key)
        self.wall_c = np.asarray([float(climate["temperature_mean_c"]) if b.in_rock
                                  else float(self.t_out.mean()) for b in boxes])
        self.w_out = rh_out / 100.0 * saturation_vapour_g_m3(self.t_out)
        self.volume = np.asarray([b.volume_m3 for b in boxes])
        self.lam = np.asarray([b.exchange_per_h for b in boxes])
        self.wall = np.asarray([b.wall_per_h for b in boxes])
        self.codes = np.asarray([b.code for b in boxes], dtype=np.int64)
        # an empty zone at midnight: in balance with the outdoors and the rock
        self.co2 = np.full(len(boxes), self.c_out[0])
        self.vapour = np.full(len(boxes), self.w_out[0])
        self.temp = (self.lam * self.t_out[0] + self.wall * self.wall_c) / (self.lam + self.wall)

    def advance(self, lo: int, hi: int, occupancy: np.ndarray) -> None:
        """Minutes ``lo`` .. ``hi``, ``occupancy[zone code, minute]`` visitors in each zone."""
        crowd = occupancy[self.codes, lo:hi].astype(np.float64)
        step = 1.0 / 60.0  # an hour's fraction
        decay = np.exp(-self.lam * step)
        decay_t = np.exp(-(self.lam + self.wall) * step)
        for minute in range(lo, hi):
            n = crowd[:, minute - lo]
            co2_eq = self.c_out[minute] + 1e6 * CO2_M3_PER_H * n / self.volume / self.lam
            vapour_eq = self.w_out[minute] + VAPOUR_G_PER_H * n / self.volume / self.lam
            heat = SENSIBLE_HEAT_W * 3600.0 * n / (AIR_HEAT_J_PER_M3K * self.volume)
            temp_eq = ((self.lam * self.t_out[minute] + self.wall * self.wall_c + heat)
                       / (self.lam + self.wall))
            self.co2 = co2_eq + (self.co2 - co2_eq) * decay
            self.vapour = vapour_eq + (self.vapour - vapour_eq) * decay
            self.temp = temp_eq + (self.temp - temp_eq) * decay_t

    def state(self) -> dict[str, np.ndarray]:
        rh = np.minimum(100.0, 100.0 * self.vapour / saturation_vapour_g_m3(self.temp))
        return {"temperature_c": self.temp, "relative_humidity": rh, "co2_ppm": self.co2}


def sensor_bias(key: tuple[int, ...], sensor_id: str) -> dict[str, float]:
    """A sensor's fixed calibration error, the same every day."""
    seed = [*key, *sensor_id.encode()]
    draws = np.random.default_rng(seed).normal(0.0, 1.0, len(SENSOR_BIAS))
    return {m: float(d) * sd for (m, sd), d in zip(SENSOR_BIAS.items(), draws, strict=True)}


def readings(air: CaveAir, at: datetime, stamp: str, rng: np.random.Generator,
             bias: dict[str, dict[str, float]]) -> dict[str, list[dict[str, Any]]]:
    """Every sensor's reading of the air now, by zone; event ids ``<stamp><sensor id>``."""
    state = air.state()
    sensors = sum(len(b.sensors) for b in air.boxes)
    noise = iter((rng.normal(0.0, 1.0, (sensors, len(SENSOR_NOISE)))
                  * np.asarray(list(SENSOR_NOISE.values()))).tolist())
    values = {m: v.tolist() for m, v in state.items()}
    out: dict[str, list[dict[str, Any]]] = {}
    for i, box in enumerate(air.boxes):
        for sensor_id, metrics in box.sensors:
            reading: dict[str, Any] = {"event_id": stamp + sensor_id, "sensor_id": sensor_id,
                                       "ts": at}
            error = bias[sensor_id]
            for metric, z in zip(SENSOR_NOISE, next(noise), strict=True):
                if metric in metrics:
                    value = values[metric][i] + error[metric] + z
                    if metric == "relative_humidity":
                        value = min(100.0, max(0.0, value))
                    reading[metric] = round(value, DECIMALS[metric])
            out.setdefault(box.zone_id, []).append(reading)
    return out
