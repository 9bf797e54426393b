"""Tasks sent by name are found in a process that has not imported their modules yet (a web
process or a management command running Celery eagerly): the demo's first queued SMS once
stopped on ``NotRegistered: 'outreach.drain'`` there."""

import subprocess
import sys
import textwrap

from django.conf import settings


def test_a_fresh_process_finds_a_task_by_name_without_importing_it_first():
    script = textwrap.dedent(
        """
        import sys, django
        django.setup()
        assert "outreach.tasks" not in sys.modules
        from laborbridge.tasking import task_named
        task = task_named("outreach.drain")
        print(task.name, "outreach.tasks" in sys.modules)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "laborbridge.settings", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["outreach.drain", "True"]
