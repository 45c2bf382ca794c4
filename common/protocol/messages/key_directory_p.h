#pragma once

// Reads the key directory's requests and replies share (key_directory.cpp,
// key_directory_replies.cpp). Every failure is a BadRequest Error naming the field, as
// protocol/fields.h does.

#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace tidings::protocol::messages::keyfields {

/// Field `key`: base64 (RFC 4648, padded, nothing else) of exactly `bytes` bytes.
Result<QByteArray> fixedBytes(const QJsonObject &fields, const QString &key, qsizetype bytes);

/// Field `key`: base64 of 1 to `maxBytes` bytes.
Result<QByteArray> bytesUpTo(const QJsonObject &fields, const QString &key, qsizetype maxBytes);

/// Field `key`: an integer from `min` to 2^32 - 1.
Result<quint32> u32(const QJsonObject &fields, const QString &key, qint64 min = 0);

/// `bytes` as the wire's base64.
QString base64(const QByteArray &bytes);

/// `error`, said of an object inside field `key`: "in 'key': …".
Error within(const QString &key, const Error &error);

} // namespace tidings::protocol::messages::keyfields
