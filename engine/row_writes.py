"""Writing a command's changed rows without SQLAlchemy's unit of work: a command changes a few columns of two or
three loaded rows, and the unit of work cost more than the writes (#19). :class:`engine.db.WritingSession`'s
flush calls :func:`write_dirty`; the unit of work still writes whatever this module does not take."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import bindparam, inspect, update
from sqlalchemy.orm import InstanceState, Mapper, Session
from sqlalchemy.orm.exc import StaleDataError


def row_values(row: Any) -> dict[str, Any]:
    """The columns set on a new mapped object, by column name: the row :func:`engine.db.insert_at_flush` takes for it
    (columns left unset get their defaults from the database or the table)."""
    columns = _columns_of(inspect(row).mapper)
    return {columns[key].name: value for key, value in vars(row).items() if key in columns}


def _columns_of(mapper: Mapper[Any]) -> dict[str, Any]:
    """A mapper's plain column attributes (attribute name → column of its table), computed once."""
    found: dict[str, Any] | None = _COLUMNS.get(mapper)
    if found is None:
        found = _COLUMNS[mapper] = {
            prop.key: prop.columns[0]
            for prop in mapper.column_attrs
            if len(prop.columns) == 1 and prop.columns[0].table is mapper.local_table
        }
    return found


#: :func:`_columns_of`'s answers, and the UPDATEs :func:`write_dirty` built, by table and changed columns.
_COLUMNS: dict[Mapper[Any], dict[str, Any]] = {}
_UPDATES: dict[tuple[Any, tuple[str, ...]], Any] = {}


def _changed(state: InstanceState[Any]) -> dict[str, Any] | None:
    """The columns whose value differs from the one loaded, by column; None when the unit of work must write
    the row (not a loaded row of one primary key; a relationship, the key or the version changed)."""
    mapper = state.mapper
    columns = _columns_of(mapper)
    if state.key is None or state.deleted or len(mapper.primary_key) != 1:
        return None
    changed = {}
    for key, loaded in state.committed_state.items():
        column = columns.get(key)
        if column is None or column.primary_key or column is mapper.version_id_col:
            return None
        if key not in state.dict:
            return None
        if state.dict[key] != loaded:  # set to what it was: the unit of work writes nothing either
            changed[column] = state.dict[key]
    return changed


def _update_of(mapper: Mapper[Any], columns: tuple[Any, ...]) -> Any:
    """``UPDATE table SET columns WHERE key = :_key [AND version = :_version]``, built once per set of columns."""
    table: Any = mapper.local_table
    cache_key = (table, tuple(c.name for c in columns))
    stmt = _UPDATES.get(cache_key)
    if stmt is None:
        stmt = update(table).where(mapper.primary_key[0] == bindparam("_key"))
        values: dict[Any, Any] = {c: bindparam(f"_set_{c.name}") for c in columns}
        if mapper.version_id_col is not None:
            stmt = stmt.where(mapper.version_id_col == bindparam("_version"))
            values[mapper.version_id_col] = bindparam("_next_version")
        stmt = _UPDATES[cache_key] = stmt.values(values)
    return stmt


def write_dirty(session: Session) -> bool:
    """Write the changed columns of the session's loaded rows with prebuilt Core UPDATEs, one each or one for
    rows changed alike (:func:`_write`; a versioned row where its version is the one loaded, bumping it;
    StaleDataError as the unit of work raises when it is not) and mark them saved. A command changes a few
    columns of two or three rows, and the unit of work cost more than the writes. False, having written
    nothing, when rows were added or deleted or a change is more than plain columns: the unit of work then
    writes everything (its order)."""
    if session.new or session.deleted:
        return False
    plans = []
    for state in list(session._dirty_states):  # noqa: SLF001 - the unit of work's own list of changed rows
        changed = _changed(state)
        if changed is None:
            return False
        plans.append((state, changed))
    alike: dict[tuple[Any, tuple[Any, ...]], list[_Plan]] = {}
    for state, changed in plans:
        alike.setdefault((state.mapper, tuple(sorted(changed, key=lambda c: c.name))), []).append((state, changed))
    try:
        for (mapper, columns), rows in alike.items():
            if columns:
                _write(session.connection(), mapper, columns, rows)
            for state, _ in rows:
                state._commit_all(state.dict, session.identity_map)  # noqa: SLF001 - what the unit of work does after
    finally:  # as the unit of work: the transaction (a savepoint too) knows them, so its rollback expires them,
        # also those written before a row refused (StaleDataError)
        session._register_altered(state for state, _ in plans)  # noqa: SLF001
    return True


#: a loaded row and its changed columns (column → value)
_Plan = tuple[InstanceState[Any], dict[Any, Any]]


def _write(connection: Any, mapper: Mapper[Any], columns: tuple[Any, ...], rows: list[_Plan]) -> None:
    """Rows of ``mapper`` changed in the same ``columns``: in one ``executemany`` (a batch of timers fired, of
    steps marked late) where no version is checked and the driver counts the rows it changed; else one by one."""
    if len(rows) > 1 and mapper.version_id_col is None and connection.dialect.supports_sane_multi_rowcount:
        _update_rows(connection, mapper, columns, rows)
    else:
        for state, changed in rows:
            _update_row(connection, state, changed)


def _update_rows(connection: Any, mapper: Mapper[Any], columns: tuple[Any, ...], rows: list[_Plan]) -> None:
    """Rows of ``mapper`` (no version) changed in ``columns``, in one statement; StaleDataError when one of them
    was deleted meanwhile, as the unit of work raises."""
    params = [
        {"_key": state.key[1][0] if state.key is not None else None, **{f"_set_{c.name}": changed[c] for c in columns}}
        for state, changed in rows
    ]
    result = connection.execute(_update_of(mapper, columns), params)
    if result.rowcount != len(params):
        table = cast(Any, mapper.local_table)
        raise StaleDataError(f"{table.name}: {len(params) - result.rowcount} of {len(params)} rows were deleted")


def _update_row(connection: Any, state: InstanceState[Any], changed: dict[Any, Any]) -> None:
    mapper, table = state.mapper, cast(Any, state.mapper.local_table)
    columns = tuple(sorted(changed, key=lambda c: c.name))
    params = {f"_set_{c.name}": changed[c] for c in columns}
    params["_key"] = state.key[1][0] if state.key is not None else None
    version = mapper.version_id_col
    if version is not None:
        attribute = mapper.get_property_by_column(version).key
        params["_version"] = state.dict[attribute]
        params["_next_version"] = state.dict[attribute] + 1
    result = connection.execute(_update_of(mapper, columns), params)
    if result.rowcount != 1:  # as the unit of work: a row deleted, or (versioned) changed, since it was loaded
        raise StaleDataError(f"{table.name} {params['_key']} was changed or deleted by someone else")
    if version is not None:
        state.dict[attribute] = params["_next_version"]
