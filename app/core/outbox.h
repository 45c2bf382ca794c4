#pragma once

#include "core/local_queries.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QTimer>

namespace tidings::app {

class Connection;
class LocalStore;

/// Everything the user does that the relay must learn — messages, edits, deletes,
/// reactions, receipts — goes to the LocalStore first (so it shows at once, with a clock,
/// and survives a crash), then to the relay, retried with the same client id until it is
/// acked: across reconnects and restarts. A refusal for good (forbidden, not found, …)
/// marks the item failed until the user retries or cancels it.
class Outbox : public QObject
{
    Q_OBJECT

public:
    Outbox(Connection &connection, LocalStore &store, QObject *parent = nullptr);
    ~Outbox() override;

    /// The longest text the relay takes, in UTF-8 bytes: what it said in hello, else its
    /// default. Longer texts are refused by send() and edit() (TooLarge), never queued.
    qsizetype maxTextBytes() const;
    /// The words a person reads for a text of `bytes` that is too long.
    static QString tooLongText(qsizetype bytes, qsizetype maxBytes);

    /// Stores a new message as queued and sends it when it can. Returns the stored message.
    /// A message with attachments still uploading (no "media" yet) waits for them
    /// (local::attachmentUploaded), without holding up the messages after it.
    QFuture<Result<local::Message>> send(qint64 conversation, const QString &text,
                                         local::Seq replyTo = 0,
                                         const QJsonArray &attachments = {});
    QFuture<Result<local::OutboxItem>> edit(qint64 conversation, local::Seq seq,
                                            const QString &text);
    QFuture<Result<local::OutboxItem>> remove(qint64 conversation, local::Seq seq);
    QFuture<Result<local::OutboxItem>> react(qint64 conversation, local::Seq seq,
                                             const QString &emoji, bool on);
    /// Receipts: stored locally at once, sent merged (one per conversation in flight).
    void markDelivered(qint64 conversation, local::Seq seq);
    void markRead(qint64 conversation, local::Seq seq);
    /// Whether others learn what the user has read (a privacy setting); the user's own read
    /// state is kept either way.
    void setShareReadReceipts(bool share) { m_shareRead = share; }
    bool sharesReadReceipts() const { return m_shareRead; }

    /// Cancels a queued or failed item (a queued message disappears); retries a failed one.
    /// Both resolve to whether there was such an item.
    QFuture<Result<bool>> cancel(const QString &key);
    QFuture<Result<bool>> retry(const QString &key);

    /// Sends what is pending, if connected (also called by itself when something is queued,
    /// after a reconnect, and after a transient failure with backoff).
    void flush();

    /// End-to-end encryption: new messages, and edits and reactions to encrypted messages,
    /// are sealed (needsSealing) before they are sent. Off by default.
    void setEncrypting(bool on) { m_encrypting = on; }
    bool encrypting() const { return m_encrypting; }
    /// Sealing `key` failed for good: it fails like a refusal, with `reason`.
    void sealFailed(const QString &key, qint64 conversation, const QString &reason);

Q_SIGNALS:
    /// Something in `conversation` changed state (sent, failed, cancelled, queued).
    void changed(qint64 conversation);
    /// The relay refused `key` for good.
    void failed(const QString &key, const QString &reason);
    /// Item `key` waits to be sealed (E2eEngine does it, then flushes). Emitted at each
    /// flush while it waits.
    void needsSealing(const QString &key);

private:
    /// Queues a change to a message (EditMessage, DeleteMessage, ReactToMessage).
    template<class Change> QFuture<Result<local::OutboxItem>> queueChange(const Change &change)
    {
        return queueChange(change.conversation, QString::fromLatin1(Change::kType),
                           change.encode());
    }
    QFuture<Result<local::OutboxItem>> queueChange(qint64 conversation, const QString &type,
                                                   const QJsonObject &payload);
    void flushNow();
    void sendItem(const local::OutboxItem &item);
    void finished(const local::OutboxItem &item, quint64 attempt,
                  const Result<QJsonObject> &result);
    void retryLater();
    /// Marks `item` failed for good with `reason` (in words a person reads); the rest go on.
    void failForGood(const local::OutboxItem &item, const QString &reason);

    Connection &m_connection;
    LocalStore &m_store;
    /// Key → the attempt in flight. A reply to an older attempt (from before a reconnect)
    /// is still applied if it is an ack, ignored if it is a failure.
    QHash<QString, quint64> m_inFlight;
    quint64 m_nextAttempt = 1;
    int m_failures = 0;
    bool m_shareRead = true;
    bool m_encrypting = false;
    QTimer m_retryTimer;
    QTimer m_flushTimer;
};

} // namespace tidings::app
