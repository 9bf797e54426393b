"""laborbridge.sessions: Django's database sessions read by one plain SELECT — the same
rows and rules: a session signed out is gone at once, an expired one is not read, a session
written by Django's own backend is read and the other way round."""

import datetime as dt

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from laborbridge.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_reads_what_django_writes_and_back():
    theirs = DjangoStore()
    theirs["k"] = "值"
    theirs.save()
    assert SessionStore(theirs.session_key).load() == {"k": "值"}
    ours = SessionStore()
    ours["n"] = 3
    ours.save()
    assert DjangoStore(ours.session_key).load() == {"n": 3}


def test_an_expired_or_unknown_session_is_empty_and_forgotten():
    store = SessionStore()
    store["k"] = 1
    store.save()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    stale = SessionStore(store.session_key)
    assert stale.load() == {} and stale.session_key is None
    assert SessionStore("x" * 32).load() == {}
    assert SessionStore(None).load() == {}


def test_signed_out_is_signed_out(client, official_a):
    client.force_login(official_a)
    key = client.cookies["sessionid"].value
    assert client.get(reverse("workers:list")).status_code == 200
    client.post(reverse("logout"))
    assert SessionStore(key).load() == {}
    client.cookies["sessionid"] = key  # the old cookie, replayed
    assert client.get(reverse("workers:list")).status_code == 302
