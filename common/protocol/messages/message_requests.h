#pragma once

// The requests about messages and reading (docs/protocol.md, section 4: message.send,
// message.edit, message.delete, message.react, receipt, sync, history, typing,
// presence.query, report) as plain values: decode() checks a frame's fields and names the bad one,
// encode() gives the fields to send (without "type" and "id").

#include "protocol/messages/limits.h"
#include "util/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace tidings::protocol::messages {

/// message.send. `text` may be empty when there are attachments; `attachments` holds
/// attachment objects, each checked by Attachment::decode (attachment.h) and kept as sent.
/// An end-to-end encrypted message (docs/protocol.md, "End-to-end encryption: messages")
/// has `ciphertext` instead of text, attachments and reply_to, which are then empty.
struct SendMessage
{
    static constexpr char kType[] = "message.send";
    static constexpr qsizetype kMaxMedia = 10;
    static constexpr qsizetype kMaxMentions = 50;
    qint64 conversation = 0;
    QString clientId;
    QString text;
    qint64 replyTo = 0; ///< 0: not a reply
    QJsonArray attachments;
    /// Encrypted only: the sender-key ciphertext (its first byte the version, 1), at most
    /// Limits::maxCiphertextBytes; empty for a plaintext message.
    QByteArray ciphertext;
    QStringList media; ///< encrypted only: the media ids its attachments use (distinct)
    QList<qint64> mentions; ///< encrypted only: the users it mentions (distinct), for pushes

    bool encrypted() const { return !ciphertext.isEmpty(); }

    static Result<SendMessage> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const SendMessage &, const SendMessage &) = default;
};

/// message.edit: the author's new text for message `seq`; for an encrypted message, the
/// ciphertext of the edit instead (then `text` is empty).
struct EditMessage
{
    static constexpr char kType[] = "message.edit";
    qint64 conversation = 0;
    QString clientId;
    qint64 seq = 0;
    QString text;
    QByteArray ciphertext; ///< as SendMessage's

    bool encrypted() const { return !ciphertext.isEmpty(); }

    static Result<EditMessage> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const EditMessage &, const EditMessage &) = default;
};

/// message.delete: message `seq` deleted for everyone.
struct DeleteMessage
{
    static constexpr char kType[] = "message.delete";
    qint64 conversation = 0;
    QString clientId;
    qint64 seq = 0;

    static Result<DeleteMessage> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const DeleteMessage &, const DeleteMessage &) = default;
};

/// message.react: `emoji` added to (`on`) or taken from message `seq`. Encrypted: `tag`
/// and `ciphertext` instead of `emoji` (then empty): the tag stands for the emoji, equal for
/// equal emoji on one message, and the ciphertext holds it (docs/encryption.md, section 6).
struct ReactToMessage
{
    static constexpr char kType[] = "message.react";
    static constexpr qsizetype kTagLength = 22; ///< base64url of 16 bytes, unpadded
    /// An emoji under a sender key needs a few hundred bytes; the relay keeps a tag's
    /// first in the message, so more (or more than the relay's message limit, if lower) is
    /// TooLarge.
    static constexpr qsizetype kMaxCiphertextBytes = 1024;
    qint64 conversation = 0;
    QString clientId;
    qint64 seq = 0;
    QString emoji;
    bool on = true;
    QString tag;
    QByteArray ciphertext; ///< as SendMessage's

    bool encrypted() const { return !ciphertext.isEmpty(); }

    static Result<ReactToMessage> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const ReactToMessage &, const ReactToMessage &) = default;
};

/// receipt: moves the sender's cursors in a conversation (at least one is given).
struct Receipt
{
    static constexpr char kType[] = "receipt";
    qint64 conversation = 0;
    std::optional<qint64> deliveredSeq;
    std::optional<qint64> readSeq;

    static Result<Receipt> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const Receipt &, const Receipt &) = default;
};

/// Where a client stands in one conversation's log.
struct Cursor
{
    qint64 conversation = 0;
    qint64 seq = 0;
    friend bool operator==(const Cursor &, const Cursor &) = default;
};

/// sync: everything after the cursors, paged.
struct Sync
{
    static constexpr char kType[] = "sync";
    static constexpr qsizetype kMaxCursors = 100000;
    QList<Cursor> cursors;
    std::optional<int> limit; ///< none: the relay's page size

    static Result<Sync> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const Sync &, const Sync &) = default;
};

/// history: a page of one conversation's log, before or after a seq.
struct History
{
    static constexpr char kType[] = "history";
    static constexpr int kDefaultLimit = 50;
    qint64 conversation = 0;
    std::optional<qint64> before; ///< at most one of before and after
    std::optional<qint64> after;
    std::optional<int> limit; ///< none: kDefaultLimit (or the page size, if smaller)

    static Result<History> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const History &, const History &) = default;
};

/// typing: the sender started (or still is) or stopped typing.
struct Typing
{
    static constexpr char kType[] = "typing";
    qint64 conversation = 0;
    bool typing = true;

    static Result<Typing> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const Typing &, const Typing &) = default;
};

/// presence.query: who of `users` is online, and when the others were last seen.
struct PresenceQuery
{
    static constexpr char kType[] = "presence.query";
    static constexpr qsizetype kMaxUsers = 500;
    QList<qint64> users;

    static Result<PresenceQuery> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const PresenceQuery &, const PresenceQuery &) = default;
};

/// report: a user, or a message (with its author), reported to the relay's admins.
struct Report
{
    static constexpr char kType[] = "report";
    qint64 user = 0; ///< 0: a message is reported
    qint64 conversation = 0; ///< with seq: the message reported
    qint64 seq = 0;
    QString reason;

    static Result<Report> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const Report &, const Report &) = default;
};

} // namespace tidings::protocol::messages
