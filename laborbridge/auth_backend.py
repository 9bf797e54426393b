"""Django's ``ModelBackend`` with the signed-in user read by one SELECT compiled once.

Every signed-in request loads its user by primary key; through the ORM, building and
compiling that one-row query cost ~0.5 ms of CPU a request (issue 17 item 3). Here the query
``User.objects.filter(pk=…)`` is compiled once per process and database and its row turned
into a ``User`` the way the ORM does (``Model.from_db``); PostgreSQL plans it once a
connection (``laborbridge.prepared``). The same row every request, no
cache: a deactivated or changed user is seen on the next request. Sign-in, permissions and
everything else are ``ModelBackend``'s. Listed before it in ``AUTHENTICATION_BACKENDS``, so
new sessions name this backend; sessions that name ``ModelBackend`` stay valid.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import router

from laborbridge.prepared import fetch_prepared

# database alias -> (SQL with one parameter, the pk; the row's field attnames)
_QUERIES: dict[str, tuple[str, list[str]]] = {}


def _query(model, alias: str) -> tuple[str, list[str]]:
    if alias not in _QUERIES:
        queryset = model._default_manager.using(alias).filter(pk=0)
        sql, params = queryset.query.get_compiler(alias).as_sql()
        if list(params) != [0]:
            raise RuntimeError(f"unexpected user query parameters: {params!r}")
        # The ORM selects the concrete fields in this order for a plain filter().
        _QUERIES[alias] = (sql, [field.attname for field in model._meta.concrete_fields])
    return _QUERIES[alias]


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except Exception:  # noqa: BLE001 - a malformed id in a session is no user, as in Django
            return None
        alias = router.db_for_read(model)
        sql, fields = _query(model, alias)
        rows = fetch_prepared(alias, sql, [pk])
        if not rows:
            return None
        user = model.from_db(alias, fields, rows[0])
        return user if self.user_can_authenticate(user) else None
