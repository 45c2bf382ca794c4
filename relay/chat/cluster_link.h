#pragma once

#include "store/records.h"

#include <QByteArrayView>
#include <QList>
#include <QSet>
#include <QString>

#include <functional>

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
    /// A frame for the live connection of store session `sessionId`, if another node has it.
    virtual void sendToSession(qint64 sessionId, QByteArrayView json) = 0;
    /// Membership (or, with 0, any block) changed: their member caches forget it.
    virtual void membersChanged(ConversationId conversation) = 0;
    /// These store sessions ended: their live connections close, wherever they are.
    virtual void endSessions(const QList<qint64> &sessionIds, quint16 code, const QString &reason)
        = 0;

    /// Presence across nodes. `user`'s first session on this node signed in: `done` says
    /// whether they were online on no node before (so the change is announced once).
    virtual void userCameOnline(UserId user, std::function<void(bool first)> done) = 0;
    /// `user`'s last session on this node went: `done` says whether no node has them now.
    virtual void userWentOffline(UserId user, std::function<void(bool last)> done) = 0;
    /// Which of `users` have a session on another node.
    virtual void onlineElsewhere(const QList<UserId> &users,
                                 std::function<void(const QSet<UserId> &)> done)
        = 0;
};

} // namespace tidings::relay
