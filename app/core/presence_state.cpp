#include "core/presence_state.h"

#include "core/connection.h"
#include "core/core_logging.h"
#include "protocol/messages/message_requests.h"
#include "protocol/messages/replies.h"
#include "util/futures.h"

#include <utility>

namespace tidings::app {

namespace messages = protocol::messages;

PresenceState::PresenceState(Connection &connection, QObject *parent)
    : QObject(parent), m_connection(connection)
{
    connect(&connection, &Connection::stateChanged, this, [this](Connection::State state) {
        if (state == Connection::State::Connected)
            return;
        // Offline, nobody is known to be online: a stale green dot would lie.
        const QHash<qint64, bool> online = std::exchange(m_online, {});
        for (auto user = online.begin(); user != online.end(); ++user) {
            if (user.value())
                Q_EMIT changed(user.key());
        }
    });
}

PresenceState::~PresenceState() = default;

void PresenceState::query(const QList<messages::User> &users)
{
    const qint64 me = m_connection.userId();
    messages::PresenceQuery query;
    const auto ask = [this, &query] {
        if (query.users.isEmpty())
            return;
        whenReady(m_connection.request(QString::fromLatin1(query.kType), query.encode()), this,
                  [this, asked = m_pushes](const Result<QJsonObject> &reply) {
                      if (!reply)
                          return; // offline: the next sign-in asks again
                      const auto list = messages::PresenceList::decode(*reply);
                      if (!list) {
                          qCWarning(lcSync)
                              << "the relay's presence does not decode:" << list.error().message;
                          return;
                      }
                      for (const messages::PresenceEvent &entry : list->presence) {
                          if (m_pushedAt.value(entry.user) > asked)
                              continue; // pushed since we asked: that is newer
                          note(entry);
                      }
                  });
        query.users.clear();
    };
    for (const messages::User &user : users) {
        if (user.id <= 0 || user.id == me)
            continue;
        query.users.append(user.id);
        if (query.users.size() == messages::PresenceQuery::kMaxUsers)
            ask();
    }
    ask();
}

void PresenceState::apply(const messages::PresenceEvent &event)
{
    m_pushedAt.insert(event.user, ++m_pushes);
    note(event);
}

void PresenceState::note(const messages::PresenceEvent &presence)
{
    m_online.insert(presence.user, presence.online);
    if (presence.lastSeen)
        m_lastSeen.insert(presence.user, *presence.lastSeen);
    Q_EMIT changed(presence.user);
}

} // namespace tidings::app
