#pragma once

// The device inbox of end-to-end encryption (docs/protocol.md, section 4, "End-to-end
// encryption: the device inbox"; the design in docs/encryption.md, section 4): the requests
// inbox.send, inbox.fetch and inbox.ack, their results, and the `inbox` event, as plain
// values in the style of key_directory.h: decode() checks a frame's fields and names the bad
// one, encode() gives the fields to send (without "type" and "id"). Bodies are base64 on the
// wire and bytes here; they are ratchet output the relay never reads.
//
// Who may send to whom, which devices exist and whether an inbox is full stay with the
// relay's handlers.

#include "protocol/messages/limits.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace tidings::protocol::messages {

/// One message of inbox.send: a body for one device of one user.
struct InboxRecipient
{
    qint64 user = 0; ///< at least 1
    quint32 device = 0; ///< never 0
    QByteArray body; ///< 1 to SendToInbox::kMaxBodyBytes bytes

    friend bool operator==(const InboxRecipient &, const InboxRecipient &) = default;
};

/// inbox.send: one body per recipient device, stored together under one client id.
/// A (user, device) named twice is BadRequest.
struct SendToInbox
{
    static constexpr char kType[] = "inbox.send";
    static constexpr qsizetype kMaxRecipients = 1000; ///< more: TooLarge
    static constexpr qsizetype kMaxBodyBytes = 64 * 1024; ///< decoded; more: TooLarge
    QString clientId; ///< 1 to 64 characters, as message.send's
    QList<InboxRecipient> messages; ///< at least one

    static Result<SendToInbox> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const SendToInbox &, const SendToInbox &) = default;
};

/// inbox.fetch: this device's inbox messages after `after`, oldest first.
struct FetchInbox
{
    static constexpr char kType[] = "inbox.fetch";
    qint64 after = 0;
    int limit = 0; ///< 1 to the relay's page size (Limits::maxPageSize)

    static Result<FetchInbox> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const FetchInbox &, const FetchInbox &) = default;
};

/// inbox.ack: this device has committed everything up to `upTo`; the relay deletes it.
struct AckInbox
{
    static constexpr char kType[] = "inbox.ack";
    qint64 upTo = 0;

    static Result<AckInbox> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const AckInbox &, const AckInbox &) = default;
};

/// Why inbox.send stored nothing for one recipient.
enum class InboxRefusal {
    NotRegistered, ///< "not_registered": the user has no such device
    Full, ///< "full": that device's inbox holds its most waiting rows (10,000)
    Forbidden, ///< "forbidden": the sender may not write to that user
};

struct InboxUndelivered
{
    qint64 user = 0;
    quint32 device = 0;
    InboxRefusal reason = InboxRefusal::NotRegistered;

    friend bool operator==(const InboxUndelivered &, const InboxUndelivered &) = default;
};

/// The result of inbox.send, given only once the rows are committed. `duplicate`: the
/// client id was used before by this device, and this is that first result again.
struct InboxSent
{
    bool duplicate = false;
    qint64 stored = 0;
    QList<InboxUndelivered> undelivered;

    static Result<InboxSent> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const InboxSent &, const InboxSent &) = default;
};

/// inbox message: one stored body for this device, from device `device` of user `user`.
/// Also the `inbox` event, sent to the recipient device's live session.
struct InboxMessage
{
    static constexpr char kType[] = "inbox";
    qint64 seq = 0; ///< strictly increasing per recipient device, from 1
    qint64 user = 0; ///< the sender
    quint32 device = 0; ///< the sender's device
    QByteArray body;
    qint64 time = 0; ///< when the relay stored it, ms since the epoch

    static Result<InboxMessage> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const InboxMessage &, const InboxMessage &) = default;
};

/// The result of inbox.fetch. `more`: messages after the last one wait too.
struct InboxPage
{
    QList<InboxMessage> messages;
    bool more = false;

    static Result<InboxPage> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const InboxPage &, const InboxPage &) = default;
};

} // namespace tidings::protocol::messages
