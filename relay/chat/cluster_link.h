#pragma once

#include "store/records.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

namespace tidings::relay {

/// The other nodes of a cluster, as the chat core sees them: what happens here that their
/// sessions must see, or their memory must follow. One node has none. The store stays the
/// source of truth: what a link loses costs latency (clients sync), never data.
class ClusterLink
{
public:
    virtual ~ClusterLink() = default;

    /// A frame for the live sessions of `users` on the other nodes.
    virtual void sendToUsers(const QList<UserId> &users, QByteArrayView json) = 0;
    /// Membership (or, with 0, any block) changed: their member caches forget it.
    virtual void membersChanged(ConversationId conversation) = 0;
    /// These store sessions ended: their live connections close, wherever they are.
    virtual void endSessions(const QList<qint64> &sessionIds, quint16 code, const QString &reason)
        = 0;
};

} // namespace tidings::relay
