#include "core/store_cipher.h"

#include "e2e/store_crypto.h"

#include <QHash>
#include <QMutex>
#include <QRegularExpression>

namespace tidings::app::local {

using namespace Qt::StringLiterals;

namespace {

struct ConnectionKeys
{
    std::shared_ptr<const tidings::e2e::StoreValueCipher> cipher;
    std::shared_ptr<const tidings::e2e::StoreSearchTokenizer> tokenizer;
};

// Few connections (one per open account), looked up per value: a mutex is plenty.
QMutex g_lock;
QHash<QString, ConnectionKeys> g_keys;

ConnectionKeys keysOf(const QSqlDatabase &db)
{
    const QMutexLocker locker(&g_lock);
    return g_keys.value(db.connectionName());
}

std::shared_ptr<const tidings::e2e::StoreValueCipher> cipherOf(const QSqlDatabase &db)
{
    return keysOf(db).cipher;
}

std::shared_ptr<const tidings::e2e::StoreSearchTokenizer> tokenizerOf(const QSqlDatabase &db)
{
    return keysOf(db).tokenizer;
}

} // namespace

void attachColumnCipher(const QString &connection,
                        std::shared_ptr<const tidings::e2e::StoreValueCipher> cipher,
                        std::shared_ptr<const tidings::e2e::StoreSearchTokenizer> tokenizer)
{
    const QMutexLocker locker(&g_lock);
    g_keys.insert(connection, ConnectionKeys{std::move(cipher), std::move(tokenizer)});
}

void detachColumnCipher(const QString &connection)
{
    const QMutexLocker locker(&g_lock);
    g_keys.remove(connection);
}

bool hasColumnCipher(const QSqlDatabase &db)
{
    return cipherOf(db) != nullptr;
}

Result<QVariant> sealColumn(const QSqlDatabase &db, QByteArrayView table, QByteArrayView column,
                            const QString &key, const QByteArray &value)
{
    const auto cipher = cipherOf(db);
    if (!cipher)
        return QVariant(value);
    auto sealed = cipher->seal(table, column, key.toUtf8(), value);
    if (!sealed)
        return sealed.error();
    return QVariant(*sealed);
}

Result<QByteArray> openColumn(const QSqlDatabase &db, QByteArrayView table, QByteArrayView column,
                              const QString &key, const QVariant &stored)
{
    const QByteArray bytes = stored.toByteArray();
    const auto cipher = cipherOf(db);
    if (!cipher)
        return bytes;
    auto opened = cipher->open(table, column, key.toUtf8(), bytes);
    if (!opened)
        return Error{ErrorCode::Corrupt,
                     u"%1.%2 of %3 does not open: %4"_s.arg(QString::fromLatin1(table),
                                                            QString::fromLatin1(column), key,
                                                            opened.error().message)};
    return *opened;
}

Result<QVariant> sealText(const QSqlDatabase &db, QByteArrayView table, QByteArrayView column,
                          const QString &key, const QString &value)
{
    if (!hasColumnCipher(db))
        return QVariant(value.isNull() ? u""_s : value); // a null QString binds as NULL
    return sealColumn(db, table, column, key, value.toUtf8());
}

Result<QString> openText(const QSqlDatabase &db, QByteArrayView table, QByteArrayView column,
                         const QString &key, const QVariant &stored)
{
    // A TEXT value, not a sealed BLOB: the column's default, never written since.
    if (stored.typeId() == QMetaType::QString && stored.toString().isEmpty())
        return QString();
    auto opened = openColumn(db, table, column, key, stored);
    if (!opened)
        return opened.error();
    return QString::fromUtf8(*opened);
}

QString searchText(const QSqlDatabase &db, const QString &plaintext)
{
    const auto tokenizer = tokenizerOf(db);
    if (!tokenizer)
        return plaintext;
    const QString tokens = tokenizer->documentTokens(plaintext).join(u' ');
    return tokens.isNull() ? u""_s : tokens; // a null QString binds as NULL
}

QString searchQuery(const QSqlDatabase &db, const QString &query)
{
    QStringList terms;
    if (const auto tokenizer = tokenizerOf(db)) {
        // Tokens are [a-z2-7] only: quoted, each is one whole FTS5 term.
        for (const QString &token : tokenizer->queryTokens(query))
            terms.append(u"\"%1\""_s.arg(token));
        return terms.join(u' ');
    }
    // Words become quoted prefix terms: whatever the user types is never FTS syntax.
    static const QRegularExpression separators(u"\\s+"_s);
    const QStringList words = query.split(separators, Qt::SkipEmptyParts);
    for (QString word : words) {
        word.replace(u'"', u"\"\""_s);
        terms.append(u"\"%1\"*"_s.arg(word));
    }
    return terms.join(u' ');
}

bool searchMatches(const QSqlDatabase &db, const QString &text, const QString &query)
{
    if (!tokenizerOf(db))
        return true;
    return tidings::e2e::StoreSearchTokenizer::matches(text, query);
}

} // namespace tidings::app::local
