#include "core/outbox.h"

#include "core/connection.h"
#include "core/core_logging.h"
#include "core/e2e_queries.h"
#include "core/local_store.h"
#include "protocol/messages/message_requests.h"
#include "protocol/messages/replies.h"
#include "util/futures.h"

#include <QRandomGenerator>
#include <QSet>
#include <QUuid>

#include <limits>

namespace tidings::app {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

/// The text an outbox item carries (a message or an edit; else none), read through its
/// request type. Its length is not judged here: the caller compares it with the relay's
/// limit of now, which may differ from the one it was queued under.
QString textOf(const local::OutboxItem &item)
{
    messages::Limits unlimited;
    unlimited.maxTextBytes = std::numeric_limits<qsizetype>::max();
    if (item.type == QLatin1StringView(messages::SendMessage::kType)) {
        if (const auto send
            = messages::SendMessage::decode(local::wirePayload(item.payload), unlimited))
            return send->text;
    } else if (item.type == QLatin1StringView(messages::EditMessage::kType)) {
        if (const auto edit = messages::EditMessage::decode(item.payload, unlimited))
            return edit->text;
    }
    return {};
}

/// Whether an item of `type` is a message or a change to one (its result is an entry),
/// not a receipt or an inbox.send.
bool changesMessages(const QString &type)
{
    return type.startsWith(u"message.");
}

/// In flight at once: enough to stream a backlog, few enough to keep the order tight.
constexpr int kWindow = 32;

/// Errors that no retry will fix: the item waits for the user.
bool isPermanent(ErrorCode code)
{
    switch (code) {
    case ErrorCode::BadRequest:
    case ErrorCode::Forbidden:
    case ErrorCode::NotFound:
    case ErrorCode::Conflict:
    case ErrorCode::TooLarge:
    case ErrorCode::Unsupported:
    case ErrorCode::EncryptionRequired:
        return true;
    default:
        return false;
    }
}

QString newClientId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

/// The relay's max-text-bytes default: the limit assumed before a relay has said its own.
constexpr qsizetype kDefaultMaxTextBytes = 64 * 1024;

template<typename T> QFuture<Result<T>> refused(Error error)
{
    return readyFuture(Result<T>(std::move(error)));
}

} // namespace

Outbox::Outbox(Connection &connection, LocalStore &store, QObject *parent)
    : QObject(parent), m_connection(connection), m_store(store)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &Outbox::flush);
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &Outbox::flushNow);
    connect(&connection, &Connection::signedIn, this, [this] {
        m_failures = 0;
        flush();
    });
    connect(&connection, &Connection::stateChanged, this, [this](Connection::State state) {
        if (state != Connection::State::Connected)
            m_inFlight.clear(); // their replies will not come; they are resent
    });
}

Outbox::~Outbox() = default;

qsizetype Outbox::maxTextBytes() const
{
    // Before hello, the relay's default.
    return m_connection.terms().version > 0 ? m_connection.terms().limits.maxTextBytes
                                            : kDefaultMaxTextBytes;
}

QString Outbox::tooLongText(qsizetype bytes, qsizetype maxBytes)
{
    return tr("Too long to send: %1 KB of text, and this server takes up to %2 KB. Copy it, or "
              "edit it shorter or send it as a file.")
        .arg((bytes + 1023) / 1024)
        .arg(maxBytes / 1024);
}

QFuture<Result<local::Message>> Outbox::send(qint64 conversation, const QString &text,
                                             local::Seq replyTo, const QJsonArray &attachments)
{
    if (const qsizetype bytes = text.toUtf8().size(); bytes > maxTextBytes())
        return refused<local::Message>({ErrorCode::TooLarge, tooLongText(bytes, maxTextBytes())});
    const qint64 me = m_connection.userId();
    const QString clientId = newClientId();
    return m_store
        .write<local::Message>([conversation, me, clientId, text, replyTo, attachments,
                                seal = m_encrypting](QSqlDatabase &db) -> Result<local::Message> {
            auto message
                = local::queueMessage(db, conversation, me, clientId, text, replyTo, attachments);
            if (message && seal) {
                if (auto asked = local::e2e::askToSeal(db, clientId); !asked)
                    return asked.error();
            }
            return message;
        })
        .then(this, [this, conversation](const Result<local::Message> &message) {
            Q_EMIT changed(conversation);
            flush();
            return message;
        });
}

QFuture<Result<local::OutboxItem>> Outbox::queueChange(qint64 conversation, const QString &type,
                                                       const QJsonObject &payload)
{
    const qint64 me = m_connection.userId();
    return m_store
        .write<local::OutboxItem>(
            [type, payload, me](QSqlDatabase &db) -> Result<local::OutboxItem> {
                auto item = local::queueChange(db, type, payload, me);
                if (!item)
                    return item;
                // A change to an encrypted message is encrypted too.
                auto sealed = local::e2e::sealIfEncrypted(db, *item);
                if (!sealed)
                    return sealed.error();
                item->seal = *sealed ? 1 : 0;
                return item;
            })
        .then(this, [this, conversation](const Result<local::OutboxItem> &item) {
            Q_EMIT changed(conversation);
            flush();
            return item;
        });
}

QFuture<Result<local::OutboxItem>> Outbox::edit(qint64 conversation, local::Seq seq,
                                                const QString &text)
{
    if (const qsizetype bytes = text.toUtf8().size(); bytes > maxTextBytes())
        return refused<local::OutboxItem>(
            {ErrorCode::TooLarge, tooLongText(bytes, maxTextBytes())});
    const messages::EditMessage edit{conversation, newClientId(), seq, text, {}};
    return queueChange(edit);
}

QFuture<Result<local::OutboxItem>> Outbox::remove(qint64 conversation, local::Seq seq)
{
    const messages::DeleteMessage removal{conversation, newClientId(), seq};
    return queueChange(removal);
}

QFuture<Result<local::OutboxItem>> Outbox::react(qint64 conversation, local::Seq seq,
                                                 const QString &emoji, bool on)
{
    const messages::ReactToMessage reaction{conversation, newClientId(), seq, emoji, on, {}, {}};
    return queueChange(reaction);
}

void Outbox::markDelivered(qint64 conversation, local::Seq seq)
{
    m_store
        .write<bool>([conversation, seq, share = m_shareRead](QSqlDatabase &db) {
            // A later receipt carries every cursor: the read one only if it may be shared.
            return local::queueReceipt(db, conversation, seq, std::nullopt, share);
        })
        .then(this, [this](const Result<bool> &moved) {
            if (moved && *moved)
                flush();
        });
}

void Outbox::markRead(qint64 conversation, local::Seq seq)
{
    m_store
        .write<bool>([conversation, seq, share = m_shareRead](QSqlDatabase &db) {
            return local::queueReceipt(db, conversation, std::nullopt, seq, share);
        })
        .then(this, [this, conversation](const Result<bool> &moved) {
            if (moved && *moved) {
                Q_EMIT changed(conversation);
                flush();
            }
        });
}

QFuture<Result<bool>> Outbox::cancel(const QString &key)
{
    return m_store.write<qint64>([key](QSqlDatabase &db) { return local::outboxCancel(db, key); })
        .then(this, [this](const Result<qint64> &done) -> Result<bool> {
            if (!done)
                return done.error();
            if (*done != 0)
                Q_EMIT changed(*done);
            return *done != 0;
        });
}

QFuture<Result<bool>> Outbox::retry(const QString &key)
{
    return m_store.write<qint64>([key](QSqlDatabase &db) { return local::outboxRetry(db, key); })
        .then(this, [this](const Result<qint64> &done) -> Result<bool> {
            if (!done)
                return done.error();
            if (*done != 0)
                Q_EMIT changed(*done);
            flush();
            return *done != 0;
        });
}

void Outbox::flush()
{
    // Many triggers (a queued item, an ack, a reconnect) become one read.
    if (m_connection.state() == Connection::State::Connected && !m_flushTimer.isActive())
        m_flushTimer.start();
}

void Outbox::flushNow()
{
    if (m_connection.state() != Connection::State::Connected)
        return;
    m_store
        .read<QList<local::OutboxItem>>(
            [](QSqlDatabase &db) { return local::pendingOutbox(db, kWindow * 4); })
        .then(this, [this](const Result<QList<local::OutboxItem>> &items) {
            if (!items || m_connection.state() != Connection::State::Connected)
                return;
            QSet<QString> pending;
            for (const local::OutboxItem &item : *items)
                pending.insert(item.key);
            // Conversations where an earlier message waits to be sealed, or for the
            // distribution of its chain: the ones after it wait too, to keep their order.
            QSet<qint64> held;
            for (const local::OutboxItem &item : *items) {
                if (m_inFlight.size() >= kWindow)
                    break;
                if (m_inFlight.contains(item.key) || local::waitsForUpload(item.payload))
                    continue;
                const bool message = changesMessages(item.type);
                if (message && held.contains(item.conversationId))
                    continue;
                if (item.seal == 1) {
                    held.insert(item.conversationId);
                    Q_EMIT needsSealing(item.key);
                    continue;
                }
                if (!item.afterKey.isEmpty()
                    && (pending.contains(item.afterKey) || m_inFlight.contains(item.afterKey))) {
                    held.insert(item.conversationId);
                    continue;
                }
                sendItem(item);
            }
        });
}

void Outbox::sendItem(const local::OutboxItem &item)
{
    // Queued before this relay said its limit (or by an older version): a text it would
    // refuse — or drop the connection over — fails here, and the rest go on.
    const qsizetype bytes = textOf(item).toUtf8().size();
    if (bytes > maxTextBytes())
        return failForGood(item, tooLongText(bytes, maxTextBytes()));
    qCDebug(lcOutbox) << "sending" << item.type << item.key;
    const quint64 attempt = m_nextAttempt++;
    m_inFlight.insert(item.key, attempt);
    m_store.write<bool>([key = item.key](QSqlDatabase &db) -> Result<bool> {
        if (auto counted = local::outboxAttempted(db, key); !counted)
            return counted.error();
        return true;
    });
    whenReady(m_connection.request(item.type, local::wirePayload(item.payload)), this,
              [this, item, attempt](const Result<QJsonObject> &result) {
                  finished(item, attempt, result);
              });
}

void Outbox::finished(const local::OutboxItem &item, quint64 attempt,
                      const Result<QJsonObject> &result)
{
    const bool current = m_inFlight.value(item.key) == attempt;
    if (result) {
        // An ack is an ack, even of an attempt from before a reconnect: applying it is
        // idempotent, and ignoring it would leave the item waiting for a retry.
        if (current)
            m_inFlight.remove(item.key);
        m_failures = 0;
        qCDebug(lcOutbox) << "acked" << item.key;
        // A send's or a change's result has its entry; a receipt's or an inbox.send's none.
        std::optional<protocol::messages::LogEntry> event;
        if (changesMessages(item.type)) {
            if (auto entry = protocol::messages::EntryResult::decode(*result))
                event = std::move(entry->event);
            else
                qCWarning(lcOutbox) << "the relay's answer to" << item.key
                                    << "does not decode:" << entry.error().message;
        }
        const qint64 me = m_connection.userId();
        m_store
            .write<local::Applied>([item, event, me](QSqlDatabase &db) {
                return local::outboxDone(db, item.key, item.payload, event, me);
            })
            .then(this, [this, item](const Result<local::Applied> &) {
                // An acked receipt changes nothing shown (its cursors moved when queued).
                if (changesMessages(item.type))
                    Q_EMIT changed(item.conversationId);
                flush();
            });
        return;
    }
    if (!current) {
        qCDebug(lcOutbox) << "ignoring the failure of an earlier attempt of" << item.key;
        return;
    }
    m_inFlight.remove(item.key);
    if (isPermanent(result.error().code)) {
        qCInfo(lcOutbox) << "refused for good:" << item.type << errorCodeName(result.error().code)
                         << result.error().message;
        const qsizetype bytes = textOf(item).toUtf8().size();
        return failForGood(item,
                           result.error().code == ErrorCode::TooLarge && bytes > 0
                               ? tooLongText(bytes, maxTextBytes())
                               : result.error().message);
    }
    // Transient (the link dropped, the relay is busy or rate-limits us): later, same id.
    qCDebug(lcOutbox) << "will retry" << item.key << result.error().message;
    retryLater();
}

void Outbox::sealFailed(const QString &key, qint64 conversation, const QString &reason)
{
    local::OutboxItem item;
    item.key = key;
    item.conversationId = conversation;
    failForGood(item, reason);
}

void Outbox::failForGood(const local::OutboxItem &item, const QString &reason)
{
    m_inFlight.remove(item.key);
    m_store
        .write<bool>([key = item.key, reason](QSqlDatabase &db) -> Result<bool> {
            if (auto failed = local::outboxFailed(db, key, reason); !failed)
                return failed.error();
            return true;
        })
        .then(this, [this, item, reason](const Result<bool> &) {
            Q_EMIT changed(item.conversationId);
            Q_EMIT failed(item.key, reason);
            flush();
        });
}

void Outbox::retryLater()
{
    if (m_retryTimer.isActive())
        return; // one backoff step per round, not per item
    ++m_failures;
    const int ceiling = std::min(30000, 250 << std::min(m_failures, 7));
    m_retryTimer.start(ceiling / 2 + QRandomGenerator::global()->bounded(ceiling / 2 + 1));
}

} // namespace tidings::app
