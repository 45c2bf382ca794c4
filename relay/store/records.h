#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace tidings::relay {

using UserId = qint64;
using ConversationId = qint64;
using Seq = qint64;

struct UserRecord
{
    UserId id = 0;
    QString username;
    QString displayName;
    bool disabled = false;
    bool hideLastSeen = false;
    qint64 lastSeenAt = 0;
    qint64 createdAt = 0;
};

struct Credentials
{
    UserRecord user;
    QByteArray passwordHash;
};

struct SessionRecord
{
    qint64 id = 0;
    UserId userId = 0;
    QString device;
    qint64 createdAt = 0;
    qint64 lastUsedAt = 0;
};

struct AuthenticatedSession
{
    UserRecord user;
    SessionRecord session;
};

} // namespace tidings::relay
