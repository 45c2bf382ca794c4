#pragma once

// Entries of the relay's log as the app's local store applies them, for the store's unit
// tests: times are 1000 + seq.

#include <QJsonObject>
#include <QString>

namespace tidings::test {

/// A `message` entry: `text` from `sender`, with the sender's client id if given.
inline QJsonObject messageEntry(qint64 conversation, qint64 seq, qint64 sender, const QString &text,
                                const QString &clientId = {})
{
    QJsonObject event{{QStringLiteral("conversation"), conversation},
                      {QStringLiteral("seq"), seq},
                      {QStringLiteral("kind"), QStringLiteral("message")},
                      {QStringLiteral("sender"), sender},
                      {QStringLiteral("time"), 1000 + seq},
                      {QStringLiteral("text"), text}};
    if (!clientId.isEmpty())
        event.insert(QStringLiteral("client_id"), clientId);
    return event;
}

/// A change of message `target` (`kind`: edit, delete, reaction…) with its own `fields`.
inline QJsonObject changeEntry(qint64 conversation, qint64 seq, const QString &kind, qint64 target,
                               qint64 sender, const QJsonObject &fields = {})
{
    QJsonObject event = fields;
    event.insert(QStringLiteral("conversation"), conversation);
    event.insert(QStringLiteral("seq"), seq);
    event.insert(QStringLiteral("kind"), kind);
    event.insert(QStringLiteral("sender"), sender);
    event.insert(QStringLiteral("time"), 1000 + seq);
    event.insert(QStringLiteral("target_seq"), target);
    return event;
}

} // namespace tidings::test
