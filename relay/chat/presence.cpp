#include "chat/presence.h"

#include "chat/chat_core.h"
#include "chat/cluster_link.h"
#include "protocol/messages/events.h"
#include "store/account_queries.h"
#include "store/conversation_queries.h"
#include "store/sql_helpers.h"
#include "store/store.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>

#include <algorithm>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

constexpr int kRetryMs = 500; ///< after the store refused a batch (busy or closing)
/// How long a written last-seen time stays in memory: longer than a store read takes,
/// so a presence.query read before the write still answers with the time.
constexpr int kRecentLastSeenMs = 30'000;

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
    m_forgetTimer = new QTimer(this);
    m_forgetTimer->setInterval(kRecentLastSeenMs);
    connect(m_forgetTimer, &QTimer::timeout, this, &Presence::forgetOldLastSeen);
}

bool Presence::isOnline(UserId user) const
{
    return !m_core.sessionsOf(user).isEmpty();
}

qint64 Presence::lastSeen(UserId user, qint64 stored) const
{
    return std::max(stored, m_recentLastSeen.value(user).at);
}

void Presence::forgetOldLastSeen()
{
    const qint64 before = QDateTime::currentMSecsSinceEpoch() - kRecentLastSeenMs;
    m_recentLastSeen.removeIf(
        [before](const auto &entry) { return entry->writtenAt > 0 && entry->writtenAt < before; });
    if (m_recentLastSeen.isEmpty())
        m_forgetTimer->stop();
}

void Presence::cameOnline(UserId user)
{
    m_recentLastSeen.remove(user);
    ClusterLink *cluster = m_core.clusterLink();
    if (!cluster)
        return announce(user, true, 0);
    // Announced by the node where they came online first.
    cluster->userCameOnline(user, [this, self = QPointer<Presence>(this), user](bool first) {
        if (self && first && isOnline(user))
            announce(user, true, 0);
    });
}

void Presence::wentOffline(UserId user)
{
    const qint64 now = sql::now();
    ClusterLink *cluster = m_core.clusterLink();
    if (!cluster)
        return wentOfflineEverywhere(user, now);
    // Still online on another node: nothing changed for their contacts.
    cluster->userWentOffline(user, [this, self = QPointer<Presence>(this), user, now](bool last) {
        if (self && last && !isOnline(user))
            wentOfflineEverywhere(user, now);
    });
}

void Presence::wentOfflineElsewhere(UserId user, qint64 at)
{
    if (!isOnline(user))
        wentOfflineEverywhere(user, at);
}

void Presence::wentOfflineEverywhere(UserId user, qint64 now)
{
    m_unwrittenLastSeen.insert(user, std::max(now, m_unwrittenLastSeen.value(user)));
    m_recentLastSeen.insert(user, {now, 0});
    if (!m_forgetTimer->isActive())
        m_forgetTimer->start();
    if (!m_writing)
        writeLastSeen();
}

void Presence::writeLastSeen()
{
    if (m_unwrittenLastSeen.isEmpty())
        return;
    m_writing = true;
    const QHash<UserId, qint64> batch = std::exchange(m_unwrittenLastSeen, {});
    m_core.store()
        .write<bool>([batch](QSqlDatabase &db) -> Result<bool> {
            for (auto it = batch.cbegin(); it != batch.cend(); ++it) {
                if (auto stored = sql::setLastSeen(db, it.key(), it.value()); !stored)
                    return stored.error();
            }
            return true;
        })
        .then(this, [this, batch](const Result<bool> &written) {
            m_writing = false;
            if (!written) {
                // Not lost: back in the queue (unless a newer time came meanwhile), tried
                // again shortly, and announced once written.
                for (auto it = batch.cbegin(); it != batch.cend(); ++it)
                    m_unwrittenLastSeen.insert(
                        it.key(), std::max(it.value(), m_unwrittenLastSeen.value(it.key())));
                m_writing = true; // the retry is this batch's, not the next change's
                QTimer::singleShot(kRetryMs, this, [this] {
                    m_writing = false;
                    writeLastSeen();
                });
                return;
            }
            const qint64 writtenAt = QDateTime::currentMSecsSinceEpoch();
            for (auto it = batch.cbegin(); it != batch.cend(); ++it) {
                if (auto recent = m_recentLastSeen.find(it.key());
                    recent != m_recentLastSeen.end() && recent->at == it.value())
                    recent->writtenAt = writtenAt;
                // Back online meanwhile (a quick reconnect): the "online" already went out.
                if (!isOnline(it.key()))
                    announce(it.key(), false, it.value());
            }
            writeLastSeen(); // what gathered while this batch was written
        });
}

void Presence::announce(UserId user, bool online, qint64 lastSeen)
{
    m_unannounced.insert(user, {online, lastSeen});
    if (!m_reading)
        readAudiences();
}

void Presence::readAudiences()
{
    if (m_unannounced.isEmpty())
        return;
    m_reading = true;
    const QHash<UserId, Change> batch = std::exchange(m_unannounced, {});
    // Whether a user hides their last-seen time matters only when they go offline: a storm
    // of sign-ins reads their contacts and nothing else.
    QHash<UserId, bool> users;
    for (auto it = batch.cbegin(); it != batch.cend(); ++it)
        users.insert(it.key(), it->online);
    m_core.store()
        .read<QHash<UserId, Audience>>(
            [users](QSqlDatabase &db) -> Result<QHash<UserId, Audience>> {
                QHash<UserId, Audience> audiences;
                for (auto it = users.cbegin(); it != users.cend(); ++it) {
                    const UserId user = it.key();
                    auto contacts = sql::contactsOf(db, user);
                    if (!contacts)
                        return contacts.error();
                    if (it.value()) { // online
                        audiences.insert(user, Audience{*contacts, false});
                        continue;
                    }
                    auto record = sql::userById(db, user);
                    if (!record && record.error().code != ErrorCode::NotFound)
                        return record.error();
                    if (record) // a user deleted meanwhile has nobody to tell
                        audiences.insert(user, Audience{*contacts, record->hideLastSeen});
                }
                return audiences;
            })
        .then(this, [this, batch](const Result<QHash<UserId, Audience>> &audiences) {
            m_reading = false;
            if (!audiences) {
                // Tried again shortly; a change that came meanwhile is newer and wins.
                for (auto it = batch.cbegin(); it != batch.cend(); ++it) {
                    if (!m_unannounced.contains(it.key()))
                        m_unannounced.insert(it.key(), it.value());
                }
                m_reading = true;
                QTimer::singleShot(kRetryMs, this, [this] {
                    m_reading = false;
                    readAudiences();
                });
                return;
            }
            for (auto it = batch.cbegin(); it != batch.cend(); ++it) {
                const Audience audience = audiences->value(it.key());
                if (audience.contacts.isEmpty())
                    continue;
                protocol::messages::PresenceEvent event{it.key(), it->online, std::nullopt};
                if (!it->online && !audience.hideLastSeen)
                    event.lastSeen = it->lastSeen;
                m_core.sendToUsers(audience.contacts,
                                   QJsonDocument(protocol::messages::eventFrame(event))
                                       .toJson(QJsonDocument::Compact));
            }
            readAudiences(); // what gathered meanwhile
        });
}

} // namespace tidings::relay
