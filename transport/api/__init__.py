"""API of point-to-point transport, one module per resource: trips (with manifests and the
carrier's export), plans (with adjustments), seats (roll call, check-in), buses, pickup
points, notifications.

Reads are scoped through ``laborbridge.access`` (404 outside the user's scope); writes go
through ``transport.services`` (403 when the user may see but not change). Stations and
campaigns are named by their codes.
"""
