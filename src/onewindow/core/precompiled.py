"""Querysets compiled once and run many times, for the hot paths (token authentication, filing, actions).

Building SQL is most of what the ORM costs on a short request: a `select_related` read of a case with its
item, version, department and site compiles for longer than PostgreSQL takes to answer it. A
`Precompiled(model, build)` asks the ORM once per database alias and shape for the statement and its
row layout (the compiler's select list, converters and related populators), then binds new values
to the same SQL and builds the rows into model instances exactly as `QuerySet.__iter__` would.

`build(*args)` (or `run(key, args, make)`) gives the queryset for `args`: plain values (str, int) that
the SQL reads once each as parameters, in order. On first use the ORM compiles it; the SQL is kept
only when its parameters are exactly `args` (same values, same types). Otherwise (a lookup that
transforms its value, such as `startswith`, or a parameter the queryset adds itself) that shape runs
through the ORM every time: never a different answer, only the slower path. `key` separates shapes
that `args` alone do not (a condition that depends on the user's role, say).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar, cast

from django.db import connections, router
from django.db.models import Field, Model, QuerySet
from django.db.models import query as _query

get_related_populators = _query.get_related_populators  # type: ignore[attr-defined]  # not in django-stubs
M = TypeVar("M", bound=Model)

_UNCOMPILABLE = object()


class _Plan:
    """A compiled SELECT: the SQL and how its rows become model instances."""

    def __init__(self, compiler, sql: str, adapters: tuple):
        self.sql, self.adapters = sql, adapters
        self.compiler = compiler
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start:self.end]]
        self.col_count = compiler.col_count if compiler.has_extra_select else None
        self.converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        self.annotations = dict(compiler.annotation_col_map or {})
        self.alias = compiler.using
        # RelatedPopulator keeps only the layout it computes here: shared by every call
        self.populators = get_related_populators(compiler.klass_info, select, self.alias)

    def objects(self, rows: Sequence[Sequence[Any]]) -> list[Model]:
        if self.col_count is not None:
            rows = [r[: self.col_count] for r in rows]
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        populators = self.populators
        out: list[Model] = []
        for row in rows:
            obj = self.model.from_db(self.alias, self.init_list, row[self.start:self.end])
            for populator in populators:
                populator.populate(row, obj)
            for name, pos in self.annotations.items():
                setattr(obj, name, row[pos])
            out.append(obj)
        return out


class Precompiled(Generic[M]):
    """A queryset shape compiled once per database alias (see the module's docstring)."""

    instances: list[Precompiled] = []

    def __init__(self, model: type[M], build: Callable[..., QuerySet[M]] | None = None, *, write: bool = False):
        self.model, self.build, self.write = model, build, write
        self._plans: dict[tuple, Any] = {}
        self._lock = threading.Lock()
        Precompiled.instances.append(self)

    def forget(self) -> None:
        """Drop the compiled shapes (the next call of each compiles it again)."""
        with self._lock:
            self._plans.clear()

    def fallbacks(self) -> list[tuple]:
        """The (alias, key) shapes that run through the ORM every time (their SQL could not be kept)."""
        return [k for k, plan in self._plans.items() if plan is _UNCOMPILABLE]

    def _alias(self) -> str:
        return router.db_for_write(self.model) if self.write else router.db_for_read(self.model)

    def all(self, *args) -> list[M]:
        """The rows of `build(*args)`."""
        build = self.build
        assert build is not None
        return self.run((), args, lambda: build(*args))

    def first(self, *args) -> M | None:
        rows = self.all(*args)
        return rows[0] if rows else None

    def run(self, key: Hashable, args: Sequence, make: Callable[[], QuerySet[M]]) -> list[M]:
        """The rows of the queryset `make()` builds, whose parameters are `args` in order; `key` names
        its shape (the same key must always build the same SQL)."""
        alias = self._alias()
        plan = self._plans.get((alias, key))
        if plan is None:
            return self._first(alias, key, tuple(args), make)
        if plan is _UNCOMPILABLE:
            return list(make().using(alias))
        if any(plan.adapters):
            args = [adapt(a) if adapt else a for adapt, a in zip(plan.adapters, args, strict=True)]
        with connections[alias].cursor() as cursor:
            cursor.execute(plan.sql, args)
            rows = cursor.fetchall()
        return cast(list[M], plan.objects(rows))

    def _first(self, alias: str, key: Hashable, args: tuple, make) -> list[M]:
        qs = make().using(alias)
        compiler = qs.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        adapters = _adapters(connections[alias], params, args)
        with self._lock:
            self._plans[(alias, key)] = (_Plan(compiler, sql, adapters) if adapters is not None and compiler.klass_info
                                         else _UNCOMPILABLE)
        return list(qs)


def _adapters(conn, params, args) -> tuple | None:
    """How each argument becomes its parameter: None for as is, the backend's date adapter for a date
    the backend stores as text (SQLite); None for the whole when some parameter is not an argument."""
    if len(params) != len(args):
        return None
    out: list[Callable | None] = []
    for p, a in zip(params, args, strict=True):
        if type(p) is type(a) and p == a:
            out.append(None)
        elif type(a) is datetime.date and p == conn.ops.adapt_datefield_value(a):
            out.append(conn.ops.adapt_datefield_value)
        else:
            return None
    return tuple(out)


def q_shape(cond) -> tuple[Hashable, list]:
    """The shape of a Q (connector, negation, lookups) and its values in order (model instances as
    their primary key): a `key` and `args` for Precompiled when a filter is built from a Q."""
    values: list = []

    def walk(node):
        children = []
        for child in node.children:
            if hasattr(child, "children"):
                children.append(walk(child))
            else:
                lookup, value = child
                if isinstance(value, Model):
                    value = value.pk
                values.append(value)
                children.append((lookup, type(value).__name__))
        return (node.connector, node.negated, tuple(children))

    return walk(cond), values


# ---------------------------------------------------------------- inserts

_INSERTS: dict[tuple, Any] = {}
MAX_ROWS = 50  # rows per multi-row INSERT (SQLite's parameter limit stays far away)


class _InsertPlan:
    """One model's INSERT … RETURNING as the ORM compiles it, split so that n rows are one statement."""

    def __init__(self, model: type[Model], alias: str, sample: Model):
        from django.db.models.sql import InsertQuery

        meta = model._meta
        self.fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
        self.returning = list(meta.db_returning_fields)
        query = InsertQuery(model)
        query.insert_values(self.fields, [sample])
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = self.returning
        ((sql, _params),) = compiler.as_sql()
        head, rest = sql.split(" VALUES ", 1)
        self.group, _, returning = rest.partition(" RETURNING ")
        self.head, self.tail = head + " VALUES ", (" RETURNING " + returning) if returning else ""

    def sql(self, n: int) -> str:
        return self.head + ", ".join([self.group] * n) + self.tail


def _insert_plan(model, alias, sample):
    plan = _INSERTS.get((model, alias))
    if plan is None:
        conn = connections[alias]
        ok = (conn.features.can_return_columns_from_insert and conn.features.can_return_rows_from_bulk_insert
              and not model._meta.parents and [f.attname for f in model._meta.db_returning_fields] == [model._meta.pk.attname])
        plan = _InsertPlan(model, alias, sample) if ok else _UNCOMPILABLE
        if plan is not _UNCOMPILABLE and not plan.tail:
            plan = _UNCOMPILABLE
        _INSERTS[(model, alias)] = plan
    return plan


def insert(objs: Sequence[Model], *, signals: bool = True) -> None:
    """Insert new rows of one plain model (no parents, no expressions as values) in one INSERT … RETURNING
    whose SQL is built once per model and database, the values converted as the ORM's insert does
    (`pre_save`, `get_db_prep_save`), the primary keys set on the objects; `pre_save` / `post_save` are
    sent for each object as `save()` sends them (`signals=False`: none, as `bulk_create`). A model the
    shortcut does not fit (parents, more returned columns, a backend without RETURNING) goes through
    the ORM (`save(force_insert=True)` or `bulk_create`). An overridden `save()` is not called: use this
    only for models whose `save()` adds nothing to an insert (CaseEvent's refuses updates only)."""
    from django.db.models.signals import post_save, pre_save

    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model, instance=objs[0])
    conn = connections[alias]
    plan = _insert_plan(model, alias, objs[0])
    if plan is _UNCOMPILABLE or len(objs) > MAX_ROWS:
        _orm_insert(objs, alias, signals)
        return
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
        if signals:
            pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
    params: list = []
    for obj in objs:
        values = [f.pre_save(obj, True) for f in plan.fields]
        if any(hasattr(v, "resolve_expression") for v in values):
            raise ValueError("insert() takes plain values; save() an object whose values are expressions")
        params += [f.get_db_prep_save(v, connection=conn) for f, v in zip(plan.fields, values, strict=True)]
    with conn.cursor() as cursor:
        cursor.execute(plan.sql(len(objs)), params)
        rows = cursor.fetchall()
    pk = model._meta.pk.attname
    for obj, row in zip(objs, rows, strict=True):
        setattr(obj, pk, row[0])
        obj._state.adding, obj._state.db = False, alias
        if signals:
            post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False, using=alias)


def _orm_insert(objs, alias, signals) -> None:
    if signals:
        for obj in objs:
            obj.save(force_insert=True, using=alias)
    else:
        type(objs[0])._default_manager.using(alias).bulk_create(objs)


_UPDATES: dict[tuple, str] = {}


def save_fields(obj: Model, fields: Sequence[str]) -> None:
    """`obj.save(update_fields=fields)` with the UPDATE written once per model, field list and database:
    the fields' `pre_save` and `get_db_prep_save` as `save()` runs them, `pre_save` / `post_save` sent,
    DatabaseError when no row was updated (as `save(update_fields=…)`)."""
    from django.db import DatabaseError
    from django.db.models.signals import post_save, pre_save

    model, meta = type(obj), type(obj)._meta
    alias = router.db_for_write(model, instance=obj)
    conn = connections[alias]
    names = tuple(fields)
    concrete = [cast(Field, meta.get_field(n)) for n in names]
    if (meta.parents or model.save is not Model.save  # an overridden save() (append-only rows …) must run
            or any(not getattr(f, "concrete", False) or f.primary_key for f in concrete)):
        obj.save(update_fields=names)
        return
    sql = _UPDATES.get((model, names, alias))
    if sql is None:
        q = conn.ops.quote_name
        sets = ", ".join(f"{q(f.column)} = %s" for f in concrete)
        sql = f"UPDATE {q(meta.db_table)} SET {sets} WHERE {q(cast(Field, meta.pk).column)} = %s"
        _UPDATES[(model, names, alias)] = sql
    pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=frozenset(names))
    values = [f.pre_save(obj, False) for f in concrete]
    if any(hasattr(v, "resolve_expression") for v in values):
        raise ValueError("save_fields() takes plain values; save() an object whose values are expressions")
    params = [f.get_db_prep_save(v, connection=conn) for f, v in zip(concrete, values, strict=True)]
    with conn.cursor() as cursor:
        cursor.execute(sql, [*params, meta.pk.get_db_prep_value(obj.pk, conn)])
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    post_save.send(sender=model, instance=obj, created=False, update_fields=frozenset(names), raw=False, using=alias)
