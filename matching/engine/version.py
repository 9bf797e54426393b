"""Engine version, stored with every matching round so results can be reproduced."""

# Bump the minor number when scores or tie-breaking change (same inputs would match differently).
# 1.1.0: with travel groups, a repair that cycles stops at the round of the cycle with the
# fewest blocking units instead of wherever max_rounds ran out (identical whenever it converges).
# 1.2.0: a vacancy's minimum education is an eligibility rule (education_too_low); free units
# start proposing strongest first (same matching without groups; with groups the repair may
# settle on a different round); optimal mode solved by an exact auction (same optimum as the
# min-cost flow, but ties — and, with groups, the repair after a split — may land differently).
# 1.3.0: an instance may carry keys (a round's worker and vacancy ids); ties are then broken by
# a seeded hash of the keys instead of a seeded permutation of positions, so a rolling re-solve
# with newcomers in the market keeps the round's tie order (the permutation of n + 1 units
# reshuffled every tie: one rejected proposal moved ~7,000 proposals at 100,000 workers).
ENGINE_VERSION = "1.3.0"
