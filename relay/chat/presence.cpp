#include "chat/presence.h"

#include "chat/chat_core.h"
#include "store/account_queries.h"
#include "store/conversation_queries.h"
#include "store/sql_helpers.h"
#include "store/store.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

struct Audience
{
    QList<UserId> contacts;
    bool hideLastSeen = false;
};

} // namespace

Presence::Presence(ChatCore &core) : m_core(core)
{
    connect(&core, &ChatCore::userCameOnline, this, &Presence::cameOnline);
    connect(&core, &ChatCore::userWentOffline, this, &Presence::wentOffline);
}

bool Presence::isOnline(UserId user) const
{
    return !m_core.sessionsOf(user).isEmpty();
}

void Presence::cameOnline(UserId user)
{
    announce(user, true, 0);
}

void Presence::wentOffline(UserId user)
{
    const qint64 at = sql::now();
    m_core.store()
        .write<bool>([user, at](QSqlDatabase &db) -> Result<bool> {
            if (auto stored = sql::setLastSeen(db, user, at); !stored)
                return stored.error();
            return true;
        })
        .then(this, [this, user, at](const Result<bool> &) {
            // Back online meanwhile (a quick reconnect): the "online" already went out.
            if (!isOnline(user))
                announce(user, false, at);
        });
}

void Presence::announce(UserId user, bool online, qint64 lastSeen)
{
    m_core.store()
        .read<Audience>([user](QSqlDatabase &db) -> Result<Audience> {
            auto contacts = sql::contactsOf(db, user);
            if (!contacts)
                return contacts.error();
            auto record = sql::userById(db, user);
            if (!record)
                return record.error();
            return Audience{*contacts, record->hideLastSeen};
        })
        .then(this, [this, user, online, lastSeen](const Result<Audience> &audience) {
            if (!audience || audience->contacts.isEmpty())
                return;
            QJsonObject frame{{u"type"_s, u"presence"_s}, {u"user"_s, user}, {u"online"_s, online}};
            if (!online && !audience->hideLastSeen)
                frame.insert(u"last_seen"_s, lastSeen);
            m_core.sendToUsers(
                audience->contacts,
                QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
        });
}

} // namespace tidings::relay
