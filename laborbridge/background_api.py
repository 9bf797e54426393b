"""The API side of the background-run kit (see ``laborbridge.background``).

An output serializer of a run inherits :class:`RunOutputSerializer` and declares its own
status field(s) and results: the run's progress, failure and times are then named and typed
the same way for rounds, plans, imports and the runs to come.
"""

from rest_framework import serializers


class RunOutputSerializer(serializers.Serializer):
    """The fields of :class:`laborbridge.background.BackgroundRun` a client polls."""

    progress_stage = serializers.CharField()
    progress_percent = serializers.IntegerField()
    failure_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
