#pragma once

// What an edit, a delete or a reaction does to a message's current state (its body, as the
// `message` event carries it: docs/protocol.md, section 4, "event"). The relay applies a
// change with these before it stores it; the app applies the same to what it shows, both
// at once (optimistically) and when the relay's event arrives.

#include "util/result.h"

#include <QJsonObject>
#include <QString>

namespace tidings::protocol::messages {

/// The most different reactions a message holds.
inline constexpr int kMaxReactionsPerMessage = 64;

/// Whether the message's content is gone (deleted, or past the relay's retention): no
/// change applies to it any more.
bool isGone(const QJsonObject &body);

/// `body` with its text replaced at `time`.
QJsonObject withEdit(QJsonObject body, const QString &text, qint64 time);

/// What is left of a message deleted at `time`.
QJsonObject deletedBody(qint64 time);

/// `body` with `user`'s reaction `emoji` added (`on`) or taken away. Conflict when it is
/// so already, TooLarge when it would be one different reaction past `maxReactions` (a
/// client applying what the relay accepted passes no limit: its copy may hold reactions
/// of its own the relay refused).
Result<QJsonObject> withReaction(QJsonObject body, const QString &emoji, qint64 user, bool on,
                                 int maxReactions = kMaxReactionsPerMessage);

/// The same for an end-to-end encrypted message (kind "encrypted"), whose changes the relay
/// cannot read: `body` with its latest edit, {"seq", "device", "ciphertext"} of the
/// `encrypted_edit` entry `seq`, made at `time`.
QJsonObject withEncryptedEdit(QJsonObject body, qint64 seq, quint32 device,
                              const QByteArray &ciphertext, qint64 time);

/// `body` with `user`'s reaction `tag` added (`on`) or taken away. A tag's entry is
/// {"users": [id, …], "sender": id, "device": u32, "ciphertext": b64}: the users in the
/// order they reacted, and the ciphertext of the reaction that made the entry (it holds the
/// same emoji as every other of that tag), kept while any user stays. Conflict and TooLarge
/// as withReaction().
Result<QJsonObject> withEncryptedReaction(QJsonObject body, const QString &tag, qint64 user,
                                          quint32 device, const QByteArray &ciphertext, bool on,
                                          int maxReactions = kMaxReactionsPerMessage);

} // namespace tidings::protocol::messages
