#include "core/sync_engine.h"

#include "core/connection.h"
#include "core/core_logging.h"
#include "core/local_store.h"
#include "core/outbox.h"
#include "protocol/messages/conversation_requests.h"
#include "protocol/messages/message_requests.h"
#include "protocol/messages/replies.h"
#include "util/futures.h"

#include <QJsonArray>

#include <utility>

namespace tidings::app {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

constexpr int kPageSize = 500;

/// A reply as its value type; a reply that does not decode is logged and dropped, as if
/// it never came (what it would have brought is asked for again at the next catch-up).
template<typename T> std::optional<T> decoded(const Result<QJsonObject> &reply, const char *what)
{
    if (!reply)
        return std::nullopt;
    auto value = T::decode(*reply);
    if (!value) {
        qCWarning(lcSync) << "the relay's" << what << "does not decode:" << value.error().message;
        return std::nullopt;
    }
    return std::move(*value);
}

QList<qint64> idsOf(const QList<messages::ConversationInfo> &conversations)
{
    QList<qint64> ids;
    ids.reserve(conversations.size());
    for (const messages::ConversationInfo &conversation : conversations)
        ids.append(conversation.id);
    return ids;
}

struct Batch
{
    QHash<qint64, local::Seq> synced; ///< where each touched conversation now stands
    QSet<qint64> gaps; ///< conversations that need a backfill
    QSet<qint64> unknown; ///< conversations heard of but not yet described
    QHash<qint64, ConversationChange> changes; ///< what changed, by conversation
};

} // namespace

SyncEngine::SyncEngine(Connection &connection, LocalStore &store, Outbox &outbox, QObject *parent)
    : QObject(parent), m_connection(connection), m_store(store), m_outbox(outbox),
      m_typingState(connection), m_presence(connection)
{
    connect(&m_typingState, &TypingState::changed, this, &SyncEngine::typingChanged);
    connect(&m_presence, &PresenceState::changed, this, &SyncEngine::presenceChanged);
    connect(&connection, &Connection::signedIn, this, &SyncEngine::onSignedIn);
    connect(&connection, &Connection::eventReceived, this, &SyncEngine::onFrame);
    connect(&connection, &Connection::stateChanged, this, [this](Connection::State state) {
        if (state != Connection::State::Connected) {
            ++m_generation;
            m_syncing = false;
            m_backfilling.clear();
            m_fetching.clear();
        }
    });
}

SyncEngine::~SyncEngine() = default;

void SyncEngine::onSignedIn()
{
    m_typingState.restart();
    ++m_generation;
    m_syncing = true;
    listPage(std::nullopt);
}

void SyncEngine::listPage(std::optional<messages::ListPosition> after)
{
    const int generation = m_generation;
    const qint64 me = m_connection.userId();
    // `after` is the `next` of the page before, as the relay gave it.
    messages::ListConversations ask;
    ask.after = after;
    whenReady(
        m_connection.request(QString::fromLatin1(ask.kType), ask.encode()), this,
        [this, generation, me](const Result<QJsonObject> &list) {
            if (generation != m_generation)
                return;
            const auto page = decoded<messages::ConversationPage>(list, "conversation list");
            if (!page) {
                m_syncing = false;
                return; // the connection dropped: the next sign-in starts over
            }
            m_presence.query(page->users);
            m_store
                .write<bool>([reply = *page, me](QSqlDatabase &db) -> Result<bool> {
                    if (auto stored = local::setAccountValue(db, u"user_id"_s, QString::number(me));
                        !stored)
                        return stored.error();
                    if (auto users = local::storeUsers(db, reply.users); !users)
                        return users.error();
                    for (const messages::ConversationInfo &conversation : reply.conversations) {
                        if (auto stored = local::storeConversation(db, conversation); !stored)
                            return stored.error();
                    }
                    return true;
                })
                .then(this,
                      [this, generation, listed = idsOf(page->conversations),
                       next = page->more ? page->next : std::nullopt](const Result<bool> &stored) {
                          if (generation != m_generation)
                              return;
                          if (!stored)
                              qCWarning(lcSync) << "cannot store the conversation list:"
                                                << stored.error().message;
                          for (const qint64 id : listed)
                              Q_EMIT conversationChanged(ConversationChange{id, {}, true, true});
                          Q_EMIT conversationsChanged();
                          if (next)
                              return listPage(next);
                          syncPage();
                      });
        });
}

void SyncEngine::syncPage()
{
    const int generation = m_generation;
    m_store.read<QHash<qint64, local::Seq>>([](QSqlDatabase &db) { return local::syncCursors(db); })
        .then(this, [this, generation](const Result<QHash<qint64, local::Seq>> &cursors) {
            if (generation != m_generation || !cursors)
                return;
            messages::Sync sync;
            sync.cursors.reserve(cursors->size());
            for (auto it = cursors->cbegin(); it != cursors->cend(); ++it)
                sync.cursors.append({it.key(), it.value()});
            sync.limit = kPageSize;
            whenReady(m_connection.request(QString::fromLatin1(sync.kType), sync.encode()), this,
                      [this, generation](const Result<QJsonObject> &reply) {
                          if (generation != m_generation)
                              return;
                          auto page = decoded<messages::EventPage>(reply, "sync page");
                          if (!page)
                              return;
                          QList<messages::LogEntry> events = std::move(page->events);
                          const bool more = page->more && !events.isEmpty();
                          // The next page (or "caught up") only once this one is stored.
                          whenReady(applyEvents(events, false), this, [this, generation, more] {
                              if (generation != m_generation)
                                  return;
                              if (more) {
                                  syncPage();
                              } else {
                                  m_syncing = false;
                                  qCInfo(lcSync) << "caught up";
                                  Q_EMIT caughtUp();
                              }
                          });
                      });
        });
}

QFuture<void> SyncEngine::applyEvents(const QList<messages::LogEntry> &events, bool live)
{
    if (events.isEmpty())
        return readyFuture();
    const qint64 me = m_connection.userId();
    return m_store
        .write<Batch>([events, me](QSqlDatabase &db) -> Result<Batch> {
            Batch batch;
            for (const messages::LogEntry &event : events) {
                const qint64 conversation = event.conversation;
                auto known = local::hasConversation(db, conversation);
                if (!known)
                    return known.error();
                if (!*known)
                    batch.unknown.insert(conversation);
                auto applied = local::applyEvent(db, event, me);
                if (!applied)
                    return applied.error();
                ConversationChange &change = batch.changes[conversation];
                change.conversation = conversation;
                change.entries.append(event.seq);
                if (event.targetSeq > 0)
                    change.entries.append(event.targetSeq);
                if (messages::isMembershipKind(event.kind))
                    change.members = true;
                batch.synced.insert(conversation, applied->syncedSeq);
                if (applied->gap)
                    batch.gaps.insert(conversation);
            }
            return batch;
        })
        .then(this, [this, live](const Result<Batch> &batch) {
            if (!batch) {
                qCWarning(lcSync) << "cannot apply entries:" << batch.error().message;
                return;
            }
            for (const ConversationChange &change : batch->changes) {
                Q_EMIT messagesChanged(change.conversation);
                Q_EMIT conversationChanged(change);
            }
            for (const qint64 conversation : batch->unknown)
                fetchConversation(conversation);
            if (live) {
                for (const qint64 conversation : batch->gaps)
                    backfill(conversation);
            }
            acknowledge(batch->synced);
        });
}

void SyncEngine::backfill(qint64 conversation)
{
    if (m_backfilling.contains(conversation) || m_syncing)
        return; // a catch-up in progress fills it anyway
    m_backfilling.insert(conversation);
    const int generation = m_generation;
    m_store
        .read<local::Conversation>([conversation, me = m_connection.userId()](QSqlDatabase &db) {
            return local::conversation(db, conversation, me);
        })
        .then(this, [this, conversation, generation](const Result<local::Conversation> &known) {
            if (generation != m_generation || !known) {
                m_backfilling.remove(conversation);
                return;
            }
            const messages::History history{conversation, std::nullopt, known->syncedSeq,
                                            kPageSize};
            whenReady(m_connection.request(QString::fromLatin1(history.kType), history.encode()),
                      this, [this, conversation, generation](const Result<QJsonObject> &reply) {
                          m_backfilling.remove(conversation);
                          if (generation != m_generation)
                              return;
                          auto page = decoded<messages::EventPage>(reply, "history page");
                          if (!page)
                              return;
                          const QList<messages::LogEntry> &events = page->events;
                          qCDebug(lcSync)
                              << "backfilled" << events.size() << "entries of" << conversation;
                          // Applied as live: if more is missing, the next gap asks again.
                          applyEvents(events, true);
                      });
        });
}

void SyncEngine::fetchConversation(qint64 conversation)
{
    if (m_fetching.contains(conversation))
        return;
    m_fetching.insert(conversation);
    const messages::GetConversation get{conversation};
    whenReady(
        m_connection.request(QString::fromLatin1(get.kType), get.encode()), this,
        [this, conversation](const Result<QJsonObject> &reply) {
            m_fetching.remove(conversation);
            const auto details = decoded<messages::ConversationDetails>(reply, "conversation");
            if (!details)
                return;
            m_presence.query(details->users);
            m_store
                .write<bool>([details = *details](QSqlDatabase &db) -> Result<bool> {
                    if (auto users = local::storeUsers(db, details.users); !users)
                        return users.error();
                    if (auto stored = local::storeConversation(db, details.conversation); !stored)
                        return stored.error();
                    return true;
                })
                .then(this, [this, conversation](const Result<bool> &) {
                    Q_EMIT conversationChanged(ConversationChange{conversation, {}, true, true});
                });
        });
}

void SyncEngine::acknowledge(const QHash<qint64, local::Seq> &delivered)
{
    for (auto it = delivered.cbegin(); it != delivered.cend(); ++it) {
        if (it.value() > 0)
            m_outbox.markDelivered(it.key(), it.value());
    }
}

void SyncEngine::onFrame(const protocol::Frame &frame)
{
    // Every frame the relay sends unasked, read through its value type; one that does not
    // decode is logged and ignored (an entry it carried comes again with the next sync).
    const QString &type = frame.type;
    const auto refused = [&type](const Error &error) {
        qCWarning(lcSync) << "ignoring a" << type << "frame that does not decode:" << error.message;
    };
    if (type == QLatin1StringView(messages::LogEntry::kType)) {
        auto entry = messages::LogEntry::decode(frame.fields);
        if (!entry)
            return refused(entry.error());
        applyEvents({std::move(*entry)}, true);
    } else if (type == QLatin1StringView(messages::ReceiptEvent::kType)) {
        const auto receipt = messages::ReceiptEvent::decode(frame.fields);
        if (!receipt)
            return refused(receipt.error());
        const qint64 me = m_connection.userId();
        m_store
            .write<bool>([receipt = *receipt, me](QSqlDatabase &db) -> Result<bool> {
                if (auto applied = local::applyReceipt(db, receipt.conversation, receipt.user,
                                                       receipt.deliveredSeq, receipt.readSeq, me);
                    !applied)
                    return applied.error();
                return true;
            })
            .then(this, [this, conversation = receipt->conversation](const Result<bool> &) {
                Q_EMIT messagesChanged(conversation);
                Q_EMIT conversationChanged(ConversationChange{conversation, {}, false, true});
            });
    } else if (type == QLatin1StringView(messages::TypingEvent::kType)) {
        const auto typing = messages::TypingEvent::decode(frame.fields);
        if (!typing)
            return refused(typing.error());
        m_typingState.apply(*typing);
    } else if (type == QLatin1StringView(messages::ResyncEvent::kType)) {
        // The relay may have missed telling us something (its cluster bus was down): catch
        // up from the store as after signing in, unless a catch-up is running already.
        if (!m_syncing) {
            ++m_generation;
            m_syncing = true;
            listPage(std::nullopt);
        }
    } else if (type == QLatin1StringView(messages::PresenceEvent::kType)) {
        const auto presence = messages::PresenceEvent::decode(frame.fields);
        if (!presence)
            return refused(presence.error());
        m_presence.apply(*presence);
    }
}

} // namespace tidings::app
