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

} // namespace tidings::protocol::messages
