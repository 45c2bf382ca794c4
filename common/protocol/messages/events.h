#pragma once

// What the relay tells: the log entry (docs/protocol.md, section 4, "event") with typed views
// of its kinds, and the frames the relay sends unasked (section 5: event, receipt, typing,
// presence, resync) as plain values. decode() checks the fields and names a bad one;
// encode() gives the fields to send (without "type").

#include "util/result.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace tidings::protocol::messages {

/// The kinds of log entry (docs/protocol.md, section 4, "event").
namespace kinds {
inline constexpr QStringView kMessage = u"message";
inline constexpr QStringView kEdit = u"edit";
inline constexpr QStringView kDelete = u"delete";
inline constexpr QStringView kReaction = u"reaction";
inline constexpr QStringView kCreated = u"created";
inline constexpr QStringView kMemberAdded = u"member_added";
inline constexpr QStringView kMemberRemoved = u"member_removed";
inline constexpr QStringView kMemberLeft = u"member_left";
inline constexpr QStringView kRenamed = u"renamed";
inline constexpr QStringView kRoleChanged = u"role_changed";
} // namespace kinds

/// One entry of a conversation's log: what `event` frames, results and sync/history pages
/// carry. decode() checks the envelope; the kind's own fields stay in `body`, read through
/// the typed views below. A kind a client does not know is still an entry (its seq counts).
struct LogEntry
{
    static constexpr char kType[] = "event"; ///< the frame type when the relay pushes it
    qint64 conversation = 0;
    qint64 seq = 0;
    QString kind;
    qint64 sender = 0;
    qint64 time = 0;
    QString clientId; ///< empty when the sender gave none
    qint64 targetSeq = 0; ///< edit, delete, reaction: the message they change; else 0
    QJsonObject body; ///< the kind's own fields

    static Result<LogEntry> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    bool is(QStringView k) const { return kind == k; }
    friend bool operator==(const LogEntry &, const LogEntry &) = default;
};

/// The current state of a message (kind "message"): what its body holds.
struct MessageState
{
    QString text;
    qint64 replyTo = 0; ///< 0: not a reply
    QJsonArray attachments; ///< attachment objects (section 4, message.send), as sent
    QMap<QString, QList<qint64>> reactions; ///< emoji → users, in the order they reacted
    qint64 editedAt = 0; ///< 0: never edited
    bool deleted = false;
    qint64 deletedAt = 0;
    bool expired = false;

    static Result<MessageState> decode(const QJsonObject &body);
    QJsonObject encode() const;
    /// Deleted or past the relay's retention: no change applies to it any more.
    bool isGone() const { return deleted || expired; }
    friend bool operator==(const MessageState &, const MessageState &) = default;
};

/// kind "edit": the new text of message targetSeq. `gone` when the edit lost its text (its
/// message was deleted, or it expired): a client skips it.
struct EditChange
{
    QString text;
    bool gone = false;
    static Result<EditChange> decode(const QJsonObject &body);
};

/// kind "reaction": the sender added (`on`) or took away `emoji`.
struct ReactionChange
{
    QString emoji;
    bool on = true;
    static Result<ReactionChange> decode(const QJsonObject &body);
};

/// The current state of an end-to-end encrypted message (kind "encrypted"): what the relay
/// keeps of it and its changes, all ciphertext (docs/protocol.md, "End-to-end encryption:
/// messages"). The app decrypts each with the sending device's chain.
struct EncryptedMessageState
{
    /// The latest encrypted edit (kind "encrypted_edit" at `seq`).
    struct Edit
    {
        qint64 seq = 0;
        quint32 device = 0;
        QByteArray ciphertext;
        friend bool operator==(const Edit &, const Edit &) = default;
    };
    /// One reaction tag: who reacted, in order, and the ciphertext of the reaction that
    /// made the entry (from `sender`'s `device`), which names the emoji.
    struct Reaction
    {
        QList<qint64> users;
        qint64 sender = 0;
        quint32 device = 0;
        QByteArray ciphertext;
        friend bool operator==(const Reaction &, const Reaction &) = default;
    };

    quint32 device = 0; ///< the sending device
    QByteArray ciphertext;
    QStringList media; ///< the media ids its attachments use
    QList<qint64> mentions;
    std::optional<Edit> edit;
    qint64 editedAt = 0; ///< 0: never edited
    QMap<QString, Reaction> reactions; ///< by tag
    bool deleted = false;
    qint64 deletedAt = 0;
    bool expired = false;

    static Result<EncryptedMessageState> decode(const QJsonObject &body);
    QJsonObject encode() const;
    bool isGone() const { return deleted || expired; }
    friend bool operator==(const EncryptedMessageState &, const EncryptedMessageState &) = default;
};

/// kind "encrypted_edit": the ciphertext of an edit of message targetSeq, from `device`.
/// `gone` when it lost its ciphertext (its message was deleted, or it expired).
struct EncryptedEditChange
{
    quint32 device = 0;
    QByteArray ciphertext;
    bool gone = false;
    static Result<EncryptedEditChange> decode(const QJsonObject &body);
};

/// kind "encrypted_reaction": the sender added (`on`) or took away the reaction `tag`;
/// `ciphertext` names its emoji. `gone` as for EncryptedEditChange.
struct EncryptedReactionChange
{
    quint32 device = 0;
    QString tag;
    bool on = true;
    QByteArray ciphertext;
    bool gone = false;
    static Result<EncryptedReactionChange> decode(const QJsonObject &body);
};

/// The kinds that change a conversation rather than a message: created, member_added,
/// member_removed, member_left, renamed, role_changed. Only the fields of `kind` are set.
struct MembershipChange
{
    QList<qint64> users; ///< created: the members; member_added: who joined
    qint64 user = 0; ///< member_removed, member_left, role_changed
    qint64 newOwner = 0; ///< member_left by the owner: who owns the group now (0: nobody)
    QString title; ///< created (groups), renamed
    QString role; ///< role_changed
    static Result<MembershipChange> decode(QStringView kind, const QJsonObject &body);
};

/// Whether entries of `kind` change the conversation (MembershipChange applies).
bool isMembershipKind(QStringView kind);

/// receipt (event): a member's cursors moved.
struct ReceiptEvent
{
    static constexpr char kType[] = "receipt";
    qint64 conversation = 0;
    qint64 user = 0;
    qint64 deliveredSeq = 0;
    qint64 readSeq = 0;

    static Result<ReceiptEvent> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const ReceiptEvent &, const ReceiptEvent &) = default;
};

/// typing (event): a member started (or still is) or stopped typing.
struct TypingEvent
{
    static constexpr char kType[] = "typing";
    qint64 conversation = 0;
    qint64 user = 0;
    bool typing = true;

    static Result<TypingEvent> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const TypingEvent &, const TypingEvent &) = default;
};

/// presence (event), and one entry of a presence.query result: a contact is online or not,
/// and when offline since when (unless they hide it).
struct PresenceEvent
{
    static constexpr char kType[] = "presence";
    qint64 user = 0;
    bool online = false;
    std::optional<qint64> lastSeen;

    static Result<PresenceEvent> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const PresenceEvent &, const PresenceEvent &) = default;
};

/// resync (event): catch up as after signing in; the relay may have missed telling something.
struct ResyncEvent
{
    static constexpr char kType[] = "resync";
    static Result<ResyncEvent> decode(const QJsonObject &fields);
    QJsonObject encode() const { return {}; }
    friend bool operator==(const ResyncEvent &, const ResyncEvent &) = default;
};

/// The frame of an event: its fields plus "type".
template<typename Event> QJsonObject eventFrame(const Event &event)
{
    QJsonObject frame = event.encode();
    frame.insert(QStringLiteral("type"), QString::fromLatin1(Event::kType));
    return frame;
}

} // namespace tidings::protocol::messages
