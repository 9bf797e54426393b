"""The page side of the run kit: one progress bar, one answer to its poll."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from laborbridge.background import RunBusy
from laborbridge.background_views import RunStart, run_progress, run_progress_response, run_start
from laborbridge.tasking import EnqueueFailed
from matching.models import MatchRound, RoundStatus

pytestmark = pytest.mark.django_db


def _poll(progress, *, htmx: bool):
    headers = {"HX-Request": "true"} if htmx else {}
    request = RequestFactory().get("/poll/", headers=headers)
    request.user = AnonymousUser()
    return run_progress_response(request, progress)


def _bar(status: str, **shown):
    run = MatchRound(status=status, progress_percent=40)
    return run_progress(run, dom_id="run", poll_url="/poll/", label="进度", **shown)


def test_a_live_run_is_polled_and_not_reloaded():
    progress = _bar(RoundStatus.RUNNING, stage="打分", note="请稍候")
    assert progress.live and progress.percent == 40 and progress.status == "运行中"
    response = _poll(progress, htmx=True)
    body = response.content.decode()
    assert 'hx-get="/poll/"' in body and 'value="40"' in body and "打分" in body
    assert "请稍候" in body and "HX-Refresh" not in response


def test_a_stopped_run_reloads_the_page_once_polled():
    progress = _bar(RoundStatus.SUCCEEDED, bar_while_live=True)
    assert not progress.live
    polled = _poll(progress, htmx=True)
    assert polled["HX-Refresh"] == "true" and "hx-get" not in polled.content.decode()
    assert "<progress" not in polled.content.decode()  # the bar is gone once the run stopped
    assert "HX-Refresh" not in _poll(progress, htmx=False)


def test_live_and_percent_may_come_from_the_caller():
    progress = _bar(RoundStatus.SUCCEEDED, live=True, percent=7)
    assert progress.live and progress.percent == 7


def _raise(error):
    def create():
        raise error

    return create


def test_run_start_gives_the_run_or_why_not_with_the_page_status():
    run = MatchRound(status=RoundStatus.QUEUED)
    assert run_start(lambda: run) == RunStart(run=run)
    busy = run_start(_raise(RunBusy("另一轮正在进行")))
    assert busy.run is None and busy.status == 409 and busy.error.messages == ["另一轮正在进行"]
    assert isinstance(busy.error, RunBusy)  # the service's subclass may name the live run
    down = run_start(_raise(EnqueueFailed("队列不可用")))
    assert (down.status, down.error.messages) == (503, ["队列不可用"])
    refused = run_start(_raise(PermissionDenied("无权")))
    assert (refused.status, refused.error.messages) == (403, ["无权"])
    wrong = run_start(_raise(ValidationError({"mode": "未知的匹配方式。"})))
    assert wrong.status == 200 and wrong.error.message_dict == {"mode": ["未知的匹配方式。"]}
