#include "core/store_cipher.h"

#include "e2e/store_crypto.h"

#include <QHash>
#include <QMutex>

namespace tidings::app::local {

using namespace Qt::StringLiterals;

namespace {

// Few connections (one per open account), looked up per value: a mutex is plenty.
QMutex g_lock;
QHash<QString, std::shared_ptr<const tidings::e2e::StoreValueCipher>> g_ciphers;

std::shared_ptr<const tidings::e2e::StoreValueCipher> cipherOf(const QSqlDatabase &db)
{
    const QMutexLocker locker(&g_lock);
    return g_ciphers.value(db.connectionName());
}

} // namespace

void attachColumnCipher(const QString &connection,
                        std::shared_ptr<const tidings::e2e::StoreValueCipher> cipher)
{
    const QMutexLocker locker(&g_lock);
    g_ciphers.insert(connection, std::move(cipher));
}

void detachColumnCipher(const QString &connection)
{
    const QMutexLocker locker(&g_lock);
    g_ciphers.remove(connection);
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

} // namespace tidings::app::local
