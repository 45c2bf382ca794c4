#pragma once

#include "store/records.h"

#include <QObject>

namespace tidings::relay {

class ChatCore;

/// Online while a user has at least one signed-in session; last seen stored when the last
/// one goes. Changes are sent to the user's contacts — those who share a conversation with
/// them and have not blocked them nor been blocked — and to nobody else. A user who hides
/// their last seen is still shown online or not, without the time.
class Presence : public QObject
{
    Q_OBJECT

public:
    explicit Presence(ChatCore &core);

    bool isOnline(UserId user) const;

private:
    void cameOnline(UserId user);
    void wentOffline(UserId user);
    void announce(UserId user, bool online, qint64 lastSeen);

    ChatCore &m_core;
};

} // namespace tidings::relay
