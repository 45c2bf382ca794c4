#pragma once

// The local store's sealed column values (docs/encryption.md, section 8): a LocalStore given
// the account's store key seals each sensitive value before it is bound to SQL, so no
// plaintext of it reaches SQLite's pages, WAL or journal, and opens it as it is read.
// Functions of the local connection, like local_queries.h.

#include "util/result.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>
#include <QVariant>

#include <memory>

namespace tidings::e2e {
class StoreValueCipher;
}

namespace tidings::app::local {

/// Seals the values of connection `connection` with `cipher` from now on (LocalStore does
/// this as it opens, when it has a store key); detach when the connection closes.
void attachColumnCipher(const QString &connection,
                        std::shared_ptr<const tidings::e2e::StoreValueCipher> cipher);
void detachColumnCipher(const QString &connection);

/// `value` as column `column` of `table`, in the row with primary key `key`, keeps it: sealed
/// when the connection has a cipher, else as it is.
Result<QVariant> sealColumn(const QSqlDatabase &db, QByteArrayView table, QByteArrayView column,
                            const QString &key, const QByteArray &value);
/// What sealColumn() kept, opened: Corrupt when it does not open (another row's or column's
/// value, altered, or sealed with another key).
Result<QByteArray> openColumn(const QSqlDatabase &db, QByteArrayView table, QByteArrayView column,
                              const QString &key, const QVariant &stored);

} // namespace tidings::app::local
