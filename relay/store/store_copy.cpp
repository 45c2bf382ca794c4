#include "store/store_copy.h"

#include "sql/sql_helpers.h"
#include "store/sqlite_source.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlField>
#include <QSqlQuery>
#include <QStringDecoder>

#include <algorithm>
#include <optional>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

/// Rows per INSERT, and at most about this much text of values: few round trips, bounded
/// statements.
constexpr int kBatchRows = 500;
constexpr qsizetype kBatchCharacters = 4 * 1024 * 1024;
constexpr qint64 kProgressMs = 2000;

Error targetError(const QString &what, const QSqlError &error)
{
    return Error{ErrorCode::Io, u"PostgreSQL: %1: %2"_s.arg(what, error.text())};
}

Result<QSqlQuery> targetQuery(QSqlDatabase &target, const QString &statement,
                              const QVariantList &values = {})
{
    auto query = sql::run(target, statement, values);
    if (!query)
        return Error{query.error().code, u"PostgreSQL: "_s + query.error().message};
    return query;
}

/// How a PostgreSQL type (information_schema's data_type) is filled from SQLite's values.
std::optional<TargetType> targetType(const QString &dataType)
{
    static const QHash<QString, TargetType> kTypes{
        {u"bigint"_s, TargetType::Integer},   {u"integer"_s, TargetType::Integer},
        {u"smallint"_s, TargetType::Integer}, {u"double precision"_s, TargetType::Real},
        {u"real"_s, TargetType::Real},        {u"boolean"_s, TargetType::Boolean},
        {u"text"_s, TargetType::Text},        {u"character varying"_s, TargetType::Text},
        {u"character"_s, TargetType::Text},   {u"bytea"_s, TargetType::Bytes},
    };
    const auto found = kTypes.constFind(dataType);
    if (found == kTypes.cend())
        return std::nullopt;
    return *found;
}

/// SQLite's value (typed by what was stored, whatever the column declares) as the
/// PostgreSQL column wants it; a null stays null.
Result<QVariant> converted(const QVariant &value, TargetType type)
{
    if (value.isNull())
        return QVariant();
    bool ok = true;
    switch (type) {
    case TargetType::Integer: {
        const qlonglong number = value.toLongLong(&ok);
        if (ok)
            return QVariant(number);
        break;
    }
    case TargetType::Real: {
        const double number = value.toDouble(&ok);
        if (ok)
            return QVariant(number);
        break;
    }
    case TargetType::Boolean: {
        const qlonglong number = value.toLongLong(&ok);
        if (ok)
            return QVariant(number != 0);
        break;
    }
    case TargetType::Text: {
        if (value.typeId() != QMetaType::QByteArray)
            return QVariant(value.toString());
        // A blob in a text column: only text PostgreSQL can hold passes.
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString text = decoder.decode(value.toByteArray());
        if (!decoder.hasError() && !text.contains(QChar(0)))
            return QVariant(text);
        break;
    }
    case TargetType::Bytes:
        if (value.typeId() == QMetaType::QByteArray)
            return value;
        return QVariant(value.toString().toUtf8());
    }
    return Error{ErrorCode::BadRequest,
                 u"the value '%1' does not fit the column"_s.arg(value.toString().left(40))};
}

/// Orders `tables` so that each comes after the tables it refers to (`parents`: child →
/// parents): level by level — tables that refer to none, then those that refer only to
/// those, … — and by name within a level. Fails on a cycle, which no Tidings schema has.
Result<QStringList> dependencyOrder(const QStringList &tables,
                                    const QMultiHash<QString, QString> &parents)
{
    QHash<QString, int> levels;
    while (levels.size() < tables.size()) {
        bool progressed = false;
        for (const QString &table : tables) {
            if (levels.contains(table))
                continue;
            int level = 0;
            bool ready = true;
            for (auto it = parents.constFind(table); it != parents.cend() && it.key() == table;
                 ++it) {
                if (it.value() == table)
                    continue; // a row referring to another of its table: none in ours
                if (!levels.contains(it.value()))
                    ready = false;
                else
                    level = std::max(level, levels.value(it.value()) + 1);
            }
            if (ready) {
                levels.insert(table, level);
                progressed = true;
            }
        }
        if (!progressed)
            return Error{ErrorCode::Incompatible,
                         u"the tables' foreign keys form a cycle; cannot order the copy"_s};
    }
    QStringList ordered = tables;
    std::sort(ordered.begin(), ordered.end(), [&](const QString &a, const QString &b) {
        return std::pair(levels.value(a), a) < std::pair(levels.value(b), b);
    });
    return ordered;
}

QString rowCount(qint64 rows)
{
    return rows == 1 ? u"1 row"_s : u"%1 rows"_s.arg(rows);
}

} // namespace

StoreCopy::StoreCopy(SqliteSource &source, QSqlDatabase &target, Progress progress)
    : m_source(source), m_target(target), m_progress(std::move(progress))
{ }

bool StoreCopy::isSettingsTable(const QString &table)
{
    return table == u"relay_meta";
}

void StoreCopy::report(const QString &line) const
{
    if (m_progress)
        m_progress(line);
}

Result<QList<CopyTable>> StoreCopy::plan()
{
    auto sourceTables = m_source.tables();
    if (!sourceTables)
        return sourceTables.error();
    sourceTables->sort();

    // The target's tables, columns and foreign keys, in the connection's schema (the first on
    // its search_path: where the relay's migrations made them).
    auto tables = targetQuery(m_target,
                              u"SELECT tablename FROM pg_tables WHERE schemaname = "
                              "current_schema() AND tablename <> 'schema_migrations'"_s);
    if (!tables)
        return tables.error();
    QStringList targetTables;
    while (tables->next())
        targetTables.append(tables->value(0).toString());
    tables->finish();
    targetTables.sort();
    if (targetTables != *sourceTables)
        return Error{ErrorCode::Incompatible,
                     u"the two stores have different tables (SQLite: %1; PostgreSQL: %2)"_s.arg(
                         sourceTables->join(u", "_s), targetTables.join(u", "_s))};

    struct TargetColumn
    {
        QString type;
        bool counter = false;
    };
    QHash<QString, QHash<QString, TargetColumn>> targetColumns;
    auto columns = targetQuery(
        m_target,
        u"SELECT table_name, column_name, data_type, is_identity, "
        "COALESCE(column_default, '') LIKE 'nextval(%' FROM information_schema.columns "
        "WHERE table_schema = current_schema()"_s);
    if (!columns)
        return columns.error();
    while (columns->next()) {
        targetColumns[columns->value(0).toString()][columns->value(1).toString()]
            = TargetColumn{columns->value(2).toString(),
                           columns->value(3).toString() == u"YES" || columns->value(4).toBool()};
    }
    columns->finish();

    QMultiHash<QString, QString> parents;
    auto keys = targetQuery(m_target,
                            u"SELECT child.relname, parent.relname FROM pg_constraint c "
                            "JOIN pg_class child ON child.oid = c.conrelid "
                            "JOIN pg_class parent ON parent.oid = c.confrelid "
                            "WHERE c.contype = 'f' AND child.relnamespace = "
                            "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"_s);
    if (!keys)
        return keys.error();
    while (keys->next())
        parents.insert(keys->value(0).toString(), keys->value(1).toString());
    keys->finish();
    const auto order = dependencyOrder(*sourceTables, parents);
    if (!order)
        return order.error();

    QList<CopyTable> planned;
    for (const QString &name : *order) {
        CopyTable table;
        table.name = name;
        const auto sourceColumns = m_source.columns(name);
        if (!sourceColumns)
            return sourceColumns.error();
        table.columns = *sourceColumns;
        const QHash<QString, TargetColumn> &target = targetColumns.value(name);
        QStringList sorted = table.columns, targetNames = target.keys();
        sorted.sort();
        targetNames.sort();
        if (sorted != targetNames)
            return Error{ErrorCode::Incompatible,
                         u"table %1 has different columns (SQLite: %2; PostgreSQL: %3)"_s.arg(
                             name, sorted.join(u", "_s), targetNames.join(u", "_s))};
        for (const QString &column : std::as_const(table.columns)) {
            const TargetColumn &info = target.value(column);
            const auto type = targetType(info.type);
            if (!type)
                return Error{ErrorCode::Incompatible,
                             u"column %1.%2 is of PostgreSQL type %3, which migrate-store "
                             "cannot fill"_s.arg(name, column, info.type)};
            table.types.append(*type);
            if (info.counter)
                table.counters.append(column);
        }
        const auto sourceRows = m_source.rowCount(name);
        if (!sourceRows)
            return sourceRows.error();
        table.sourceRows = *sourceRows;
        auto targetRows
            = targetQuery(m_target, u"SELECT count(*) FROM "_s + quotedIdentifier(name));
        if (!targetRows)
            return targetRows.error();
        if (!targetRows->next())
            return targetError(u"cannot count the rows of "_s + name, targetRows->lastError());
        table.targetRows = targetRows->value(0).toLongLong();
        planned.append(table);
    }
    return planned;
}

Result<QList<CopyTable>> StoreCopy::copy(QList<CopyTable> tables)
{
    // The relay's 30 s per statement is for requests; a batch of big rows, or the last-seq
    // catch-up over millions of entries, may take longer. For this transaction only.
    if (QSqlQuery unlimited(m_target); !unlimited.exec(u"SET LOCAL statement_timeout = 0"_s))
        return targetError(u"cannot lift the statement timeout"_s, unlimited.lastError());
    for (CopyTable &table : tables) {
        const auto copied = copyTable(table);
        if (!copied)
            return copied.error();
        table.copiedRows = *copied;
    }
    if (auto caughtUp = catchUpLastSeqs(tables); !caughtUp)
        return caughtUp.error();
    for (const CopyTable &table : std::as_const(tables)) {
        if (auto moved = moveCounters(table); !moved)
            return moved.error();
        if (isSettingsTable(table.name))
            continue;
        // Every row arrived, once: the target was empty, so it holds exactly the source's.
        auto counted
            = targetQuery(m_target, u"SELECT count(*) FROM "_s + quotedIdentifier(table.name));
        if (!counted)
            return counted.error();
        if (!counted->next() || counted->value(0).toLongLong() != table.sourceRows)
            return Error{ErrorCode::Internal,
                         u"table %1 holds %2 rows after the copy, not the source's %3"_s
                             .arg(table.name, counted->value(0).toString())
                             .arg(table.sourceRows)};
    }
    return tables;
}

Result<qint64> StoreCopy::copyTable(const CopyTable &table)
{
    QStringList quoted;
    for (const QString &column : table.columns)
        quoted.append(quotedIdentifier(column));
    const QString columnList = quoted.join(u", "_s);
    QSqlQuery rows(m_source.database());
    rows.setForwardOnly(true);
    if (!rows.exec(u"SELECT %1 FROM %2"_s.arg(columnList, quotedIdentifier(table.name))))
        return Error{ErrorCode::Io,
                     u"%1: cannot read table %2: %3"_s.arg(m_source.path(), table.name,
                                                           rows.lastError().text())};

    // The target's own settings stay (its instance id); the source's others are added, and
    // its e2e default (decided by the store that has the accounts) replaces the target's.
    const QString conflict = isSettingsTable(table.name)
        ? u" ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value WHERE %1.key = "
          "'e2e_default'"_s.arg(quotedIdentifier(table.name))
        : QString();
    qint64 read = 0, inserted = 0;
    // Values go as literals the driver escapes, as QPSQL itself sends bound values: a
    // prepared statement per batch would cost another round trip and parse for nothing.
    const QSqlDriver *driver = m_target.driver();
    QString batch;
    int batchRows = 0;
    const auto flush = [&]() -> Result<void> {
        if (batchRows == 0)
            return {};
        QSqlQuery insert(m_target);
        if (!insert.exec(u"INSERT INTO %1 (%2) VALUES %3%4"_s.arg(quotedIdentifier(table.name),
                                                                  columnList, batch, conflict)))
            return targetError(u"copying table "_s + table.name, insert.lastError());
        inserted += insert.numRowsAffected();
        batch.clear();
        batchRows = 0;
        return {};
    };

    QElapsedTimer sinceReport;
    sinceReport.start();
    QStringList literals;
    while (rows.next()) {
        literals.clear();
        for (int i = 0; i < table.columns.size(); ++i) {
            const auto value = converted(rows.value(i), table.types.at(i));
            if (!value)
                return Error{
                    ErrorCode::Incompatible,
                    u"table %1, column %2, row %3: %4"_s.arg(table.name, table.columns.at(i))
                        .arg(read + 1)
                        .arg(value.error().message)};
            QSqlField field(table.columns.at(i), value->metaType());
            if (!value->isNull())
                field.setValue(*value);
            literals.append(driver->formatValue(field));
        }
        if (batchRows > 0)
            batch += u", "_s;
        batch += u'(' + literals.join(u", "_s) + u')';
        ++read;
        if (++batchRows >= kBatchRows || batch.size() >= kBatchCharacters) {
            if (auto flushed = flush(); !flushed)
                return flushed.error();
        }
        if (sinceReport.elapsed() >= kProgressMs) {
            report(u"  %1: %2 of %3 rows"_s.arg(table.name).arg(read).arg(table.sourceRows));
            sinceReport.restart();
        }
    }
    if (rows.lastError().isValid())
        return Error{ErrorCode::Io,
                     u"%1: cannot read table %2: %3"_s.arg(m_source.path(), table.name,
                                                           rows.lastError().text())};
    if (auto flushed = flush(); !flushed)
        return flushed.error();
    if (isSettingsTable(table.name) && read > inserted)
        report(u"  %1: %2 (and %3 the target already had: its own kept)"_s.arg(
            table.name, rowCount(inserted), rowCount(read - inserted)));
    else
        report(u"  %1: %2"_s.arg(table.name, rowCount(inserted)));
    return inserted;
}

Result<void> StoreCopy::catchUpLastSeqs(const QList<CopyTable> &tables)
{
    // SQLite's message path leaves conversations.last_seq behind and reads the last seq off
    // the log; on PostgreSQL every append starts from the column (decision 44).
    const auto has = [&](const QString &name, const QString &column) {
        return std::any_of(tables.cbegin(), tables.cend(), [&](const CopyTable &table) {
            return table.name == name && table.columns.contains(column);
        });
    };
    if (!has(u"conversations"_s, u"last_seq"_s) || !has(u"events"_s, u"seq"_s))
        return Error{ErrorCode::Incompatible,
                     u"the store has no conversations.last_seq or events.seq to keep in step"_s};
    auto updated = targetQuery(
        m_target,
        u"UPDATE conversations AS c SET last_seq = e.last FROM "
        "(SELECT conversation_id, MAX(seq) AS last FROM events GROUP BY conversation_id)"
        " AS e WHERE e.conversation_id = c.id AND e.last > c.last_seq"_s);
    if (!updated)
        return updated.error();
    if (const int moved = updated->numRowsAffected(); moved > 0)
        report(u"  conversations: last_seq caught up with the log in %1"_s.arg(moved));
    return {};
}

Result<void> StoreCopy::moveCounters(const CopyTable &table)
{
    // Ids were copied as they were: the next id the table makes must come after them.
    for (const QString &column : table.counters) {
        auto moved = targetQuery(m_target,
                                 u"SELECT setval(pg_get_serial_sequence(?, ?), "
                                 "COALESCE((SELECT MAX(%1) FROM %2), 0) + 1, false)"_s.arg(
                                     quotedIdentifier(column), quotedIdentifier(table.name)),
                                 {quotedIdentifier(table.name), column});
        if (!moved)
            return Error{moved.error().code,
                         u"moving the counter of %1.%2: %3"_s.arg(table.name, column,
                                                                  moved.error().message)};
    }
    return {};
}

} // namespace tidings::relay
