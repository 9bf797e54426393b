"""Distances and road times between places, from coordinates (no map data needed)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

EARTH_RADIUS_KM = 6371.0088


def haversine_km(
    lat1: NDArray[np.float64] | float,
    lng1: NDArray[np.float64] | float,
    lat2: NDArray[np.float64] | float,
    lng2: NDArray[np.float64] | float,
) -> NDArray[np.float64]:
    """Return great-circle distances in km; arguments broadcast like NumPy arrays."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlmb = np.radians(np.asarray(lng2) - np.asarray(lng1))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def road_km_matrix(
    lats: NDArray[np.float64], lngs: NDArray[np.float64], road_factor: float
) -> NDArray[np.float64]:
    """Return the pairwise road-distance estimate (great circle × detour factor) in km."""
    return haversine_km(lats[:, None], lngs[:, None], lats[None, :], lngs[None, :]) * road_factor


def minutes_for_km(km: NDArray[np.float64] | float, speed_kmh: float) -> NDArray[np.float64]:
    """Return driving minutes for `km` at `speed_kmh`, rounded up to whole minutes."""
    return np.ceil(np.asarray(km) / speed_kmh * 60.0 - 1e-9)
