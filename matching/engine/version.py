"""Engine version, stored with every matching round so results can be reproduced."""

# Bump the minor number when scores or tie-breaking change (same inputs would match differently).
# 1.1.0: with travel groups, a repair that cycles stops at the round of the cycle with the
# fewest blocking units instead of wherever max_rounds ran out (identical whenever it converges).
ENGINE_VERSION = "1.1.0"
