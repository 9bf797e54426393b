"""Maximum-cardinality seat assignment and its Dulmage–Mendelsohn classes (compiled).

Persons (seats of units; a unit of size ``s`` is ``s`` persons with the same edges) are placed
at vacancies within the headcounts so that as many as possible are placed: Hopcroft–Karp
phases (a breadth-first layering from every unplaced person, then vertex-disjoint shortest
augmenting paths) after a greedy start. A maximum assignment has no augmenting path, and the
alternating reachability from it splits the market (Dulmage–Mendelsohn):

* ``OVER`` vacancies — reachable from an unplaced person: full in *every* maximum assignment
  and filled only by persons reachable the same way (who may stay unplaced);
* ``UNDER`` vacancies — a seat can be left empty in some maximum assignment (the empty seats and
  what reaches them backwards); the persons reaching them are placed in every maximum
  assignment;
* the rest is perfectly matched in every maximum assignment.

Optimal mode uses the classes only as a starting point (see :mod:`matching.engine.auction`):
its exactness never depends on them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

REST, OVER, UNDER = 0, 1, 2


@njit(cache=True)
def _holders(vac, capacity, edge):  # pragma: no cover - compiled
    """Return (base, load, slot): the persons at each vacancy in ``slot[base[v]:+load[v]]``."""
    m = len(capacity)
    base = np.zeros(m + 1, dtype=np.int64)
    for v in range(m):
        base[v + 1] = base[v] + max(capacity[v], 0)
    load = np.zeros(m, dtype=np.int64)
    slot = np.empty(base[m], dtype=np.int64)
    for i in range(len(edge)):
        if edge[i] >= 0:
            v = vac[edge[i]]
            slot[base[v] + load[v]] = i
            load[v] += 1
    return base, load, slot


@njit(cache=True)
def max_assignment(ptr, vac, pr, person_unit, capacity):  # pragma: no cover - compiled
    """Return each person's edge in a maximum-cardinality assignment (-1 = unplaced).

    The greedy start gives each person, in order, its highest-``pr`` edge with a free seat.
    """
    n = len(person_unit)
    m = len(capacity)
    edge = np.full(n, -1, dtype=np.int64)
    base = np.zeros(m + 1, dtype=np.int64)
    for v in range(m):
        base[v + 1] = base[v] + max(capacity[v], 0)
    load = np.zeros(m, dtype=np.int64)
    slot = np.empty(base[m], dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)  # index of a placed person in its vacancy's slots
    for i in range(n):
        u = person_unit[i]
        best = -1
        for e in range(ptr[u], ptr[u + 1]):
            v = vac[e]
            if load[v] < capacity[v] and (best < 0 or pr[e] > pr[best]):
                best = e
        if best >= 0:
            v = vac[best]
            edge[i] = best
            pos[i] = load[v]
            slot[base[v] + load[v]] = i
            load[v] += 1
    dist = np.empty(n, dtype=np.int64)
    vseen = np.empty(m, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)
    it = np.empty(n, dtype=np.int64)  # next edge to try, per person (within a phase)
    hit = np.empty(m, dtype=np.int64)  # next holder to try, per vacancy
    path_p = np.empty(n + 1, dtype=np.int64)
    path_e = np.empty(n + 1, dtype=np.int64)
    inf = np.int64(1) << 62
    while True:
        # --- layering from every unplaced person
        qh, qt = 0, 0
        for i in range(n):
            if edge[i] < 0 and ptr[person_unit[i] + 1] > ptr[person_unit[i]]:
                dist[i] = 0
                queue[qt] = i
                qt += 1
            else:
                dist[i] = inf
        for v in range(m):
            vseen[v] = inf
        limit = inf
        while qh < qt:
            i = queue[qh]
            qh += 1
            d = dist[i]
            if d >= limit:
                break
            u = person_unit[i]
            for e in range(ptr[u], ptr[u + 1]):
                v = vac[e]
                if vseen[v] != inf or capacity[v] <= 0:
                    continue
                vseen[v] = d + 1
                if load[v] < capacity[v]:
                    limit = d + 1
                    continue
                for s in range(base[v], base[v] + load[v]):
                    h = slot[s]
                    if dist[h] == inf:
                        dist[h] = d + 2
                        queue[qt] = h
                        qt += 1
        if limit == inf:
            break
        # --- vertex-disjoint shortest augmenting paths, depth first
        for i in range(n):
            it[i] = ptr[person_unit[i]]
        for v in range(m):
            hit[v] = 0
        found = 0
        for r in range(n):
            if dist[r] != 0 or edge[r] >= 0:
                continue
            depth = 0
            path_p[0] = r
            while depth >= 0:
                i = path_p[depth]
                u = person_unit[i]
                d = dist[i]
                advanced = False
                while it[i] < ptr[u + 1]:
                    e = it[i]
                    v = vac[e]
                    if vseen[v] != d + 1 or e == edge[i]:
                        it[i] += 1
                        continue
                    if load[v] < capacity[v]:
                        if d + 1 != limit:
                            it[i] += 1
                            continue
                        # augment: each person of the path takes the seat of the next one
                        path_e[depth] = e
                        for k in range(depth + 1):
                            p = path_p[k]
                            ne = path_e[k]
                            w = vac[ne]
                            if k < depth:
                                pos[p] = pos[path_p[k + 1]]
                            else:
                                pos[p] = load[w]
                                load[w] += 1
                            slot[base[w] + pos[p]] = p
                            edge[p] = ne
                        # the moved persons are done for this phase
                        for k in range(depth + 1):
                            dist[path_p[k]] = inf
                        found += 1
                        depth = -1
                        advanced = True
                        break
                    # take the seat of a holder one layer down, if it can still move on
                    moved = False
                    while d + 2 < limit and hit[v] < load[v]:
                        h = slot[base[v] + hit[v]]
                        if dist[h] == d + 2:
                            path_e[depth] = e
                            depth += 1
                            path_p[depth] = h
                            moved = True
                            break
                        hit[v] += 1
                    if moved:
                        advanced = True
                        break
                    it[i] += 1
                if depth < 0:
                    break
                if not advanced:
                    dist[i] = inf  # a dead end for this phase
                    depth -= 1
                    if depth >= 0:
                        # the holder we descended to failed: skip it at its vacancy
                        hit[vac[path_e[depth]]] += 1
        if found == 0:
            break
    return edge


@njit(cache=True)
def classify(ptr, vac, person_unit, capacity, edge, csc_ptr, csc_edge, csc_unit, person_ptr):
    """Return (vacancy class, ok) of a maximum assignment; ok is False if it is not maximum."""  # pragma: no cover
    n = len(person_unit)
    m = len(capacity)
    base, load, slot = _holders(vac, capacity, edge)
    vcls = np.full(m, REST, dtype=np.int8)
    pseen = np.zeros(n, dtype=np.bool_)
    stack = np.empty(n + m, dtype=np.int64)
    sp = 0
    for i in range(n):
        if edge[i] < 0:
            pseen[i] = True
            stack[sp] = i
            sp += 1
    while sp > 0:
        sp -= 1
        i = stack[sp]
        u = person_unit[i]
        for e in range(ptr[u], ptr[u + 1]):
            v = vac[e]
            if vcls[v] != REST or capacity[v] <= 0:
                continue
            if load[v] < capacity[v]:
                return vcls, False  # an augmenting path
            vcls[v] = OVER
            for s in range(base[v], base[v] + load[v]):
                h = slot[s]
                if not pseen[h]:
                    pseen[h] = True
                    stack[sp] = h
                    sp += 1
    for v in range(m):
        if capacity[v] > 0 and load[v] < capacity[v]:
            vcls[v] = UNDER
            stack[sp] = v
            sp += 1
    while sp > 0:
        sp -= 1
        v = stack[sp]
        for idx in range(csc_ptr[v], csc_ptr[v + 1]):
            e = csc_edge[idx]
            u = csc_unit[idx]
            for i in range(person_ptr[u], person_ptr[u + 1]):
                if edge[i] == e:
                    continue
                if edge[i] < 0:
                    return vcls, False  # an augmenting path
                w = vac[edge[i]]
                if vcls[w] == REST:
                    vcls[w] = UNDER
                    stack[sp] = w
                    sp += 1
                elif vcls[w] == OVER:
                    return vcls, False
    return vcls, True
