"""Engine version, stored with every matching round so results can be reproduced."""

# Bump the minor number when scores or tie-breaking change (same inputs would match differently).
ENGINE_VERSION = "1.0.0"
