#pragma once

// The local store's sealed column values (docs/encryption.md, section 8): a LocalStore given
// the account's store key seals each sensitive value before it is bound to SQL, so no
// plaintext of it reaches SQLite's pages, WAL or journal, and opens it as it is read. Its
// search index holds keyed tokens instead of words. Functions of the local connection, like
// local_queries.h.

#include "util/result.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>
#include <QVariant>

#include <memory>

namespace tidings::e2e {
class StoreSearchTokenizer;
class StoreValueCipher;
} // namespace tidings::e2e

namespace tidings::app::local {

/// Seals the values of connection `connection` with `cipher`, and makes its search tokens
/// with `tokenizer`, from now on (LocalStore does this as it opens, when it has a store
/// key); detach when the connection closes.
void attachColumnCipher(const QString &connection,
                        std::shared_ptr<const tidings::e2e::StoreValueCipher> cipher,
                        std::shared_ptr<const tidings::e2e::StoreSearchTokenizer> tokenizer);
void detachColumnCipher(const QString &connection);
/// Whether the connection seals its values (it has a store key).
bool hasColumnCipher(const QSqlDatabase &db);

/// `value` as column `column` of `table`, in the row with primary key `key`, keeps it: sealed
/// when the connection has a cipher, else as it is.
Result<QVariant> sealColumn(const QSqlDatabase &db, QByteArrayView table, QByteArrayView column,
                            const QString &key, const QByteArray &value);
/// What sealColumn() kept, opened: Corrupt when it does not open (another row's or column's
/// value, altered, or sealed with another key).
Result<QByteArray> openColumn(const QSqlDatabase &db, QByteArrayView table, QByteArrayView column,
                              const QString &key, const QVariant &stored);

/// sealColumn() for a TEXT column: without a cipher the value stays the text it always was
/// (never NULL: a null string keeps as empty).
Result<QVariant> sealText(const QSqlDatabase &db, QByteArrayView table, QByteArrayView column,
                          const QString &key, const QString &value);
/// What sealText() kept, opened. An empty text (a column's default) opens as empty even
/// with a cipher; anything else that does not open is Corrupt.
Result<QString> openText(const QSqlDatabase &db, QByteArrayView table, QByteArrayView column,
                         const QString &key, const QVariant &stored);

/// What messages.text holds for a message whose text is `plaintext`, for the search index:
/// with a cipher its keyed tokens (StoreSearchTokenizer::documentTokens), joined by spaces;
/// without one the text itself.
QString searchText(const QSqlDatabase &db, const QString &plaintext);
/// The FTS5 MATCH expression that finds rows for what the user typed, never FTS syntax of
/// its own: with a cipher its keyed tokens (queryTokens), each quoted, all required; without
/// one each word as a quoted prefix term. Empty when the query has no word.
QString searchQuery(const QSqlDatabase &db, const QString &query);
/// Whether a row the index found for `query` holds it: with a cipher the index only
/// narrows (a prefix token stands for many words), so the row's opened text decides
/// (StoreSearchTokenizer::matches); without one the index held the words themselves.
bool searchMatches(const QSqlDatabase &db, const QString &text, const QString &query);

} // namespace tidings::app::local
