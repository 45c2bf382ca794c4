#pragma once

#include <QByteArray>
#include <QList>
#include <QtGlobal>

namespace tidings::relay {

/// One Redis reply as a plain value: nil, an integer, a bulk string, a status ("OK",
/// "QUEUED") or an array of replies. An error reply to a command never becomes a RedisReply
/// (RedisClient reports it as an Error); only an error inside an array (EXEC's results) is an
/// element of type Error.
class RedisReply
{
public:
    enum class Type { Nil, Integer, String, Status, Array, Error };

    /// Nil.
    RedisReply() = default;
    static RedisReply nil() { return {}; }
    static RedisReply fromInteger(qint64 value);
    static RedisReply fromString(QByteArray value);
    static RedisReply fromStatus(QByteArray value);
    static RedisReply fromArray(QList<RedisReply> elements);
    static RedisReply fromError(QByteArray message);

    Type type() const { return m_type; }
    bool isNil() const { return m_type == Type::Nil; }
    /// The integer of an Integer reply, else 0.
    qint64 toInteger() const { return m_integer; }
    /// The bytes of a String, Status or Error reply, else empty.
    const QByteArray &toByteArray() const { return m_bytes; }
    /// The elements of an Array reply, else empty.
    const QList<RedisReply> &elements() const { return m_elements; }

    friend bool operator==(const RedisReply &, const RedisReply &) = default;

private:
    Type m_type = Type::Nil;
    qint64 m_integer = 0;
    QByteArray m_bytes;
    QList<RedisReply> m_elements;
};

} // namespace tidings::relay
