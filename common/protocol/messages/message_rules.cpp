#include "protocol/messages/message_rules.h"

#include "protocol/messages/key_directory_p.h"

#include <QJsonArray>

namespace tidings::protocol::messages {

using namespace Qt::StringLiterals;

bool isGone(const QJsonObject &body)
{
    return body.value(u"deleted"_s).toBool() || body.value(u"expired"_s).toBool();
}

QJsonObject withEdit(QJsonObject body, const QString &text, qint64 time)
{
    body.insert(u"text"_s, text);
    body.insert(u"edited_at"_s, time);
    return body;
}

QJsonObject deletedBody(qint64 time)
{
    return {{u"deleted"_s, true}, {u"deleted_at"_s, time}};
}

namespace {

/// The users of one reaction with `user` added (`on`) or taken away. Conflict when it is so
/// already; TooLarge when adding makes a new reaction (`isNew`) past `maxReactions`, the
/// message having `count` now.
Result<QJsonArray> toggledUser(QJsonArray users, qint64 user, bool on, bool isNew, qsizetype count,
                               int maxReactions)
{
    bool present = false;
    for (qsizetype i = 0; i < users.size(); ++i) {
        if (users.at(i).toInteger() == user) {
            present = true;
            if (!on)
                users.removeAt(i);
            break;
        }
    }
    if (present == on)
        return Error{ErrorCode::Conflict,
                     on ? u"you reacted so already"_s : u"you had not reacted so"_s};
    if (on) {
        if (isNew && count >= maxReactions)
            return Error{ErrorCode::TooLarge,
                         u"a message has at most %1 different reactions"_s.arg(maxReactions)};
        users.append(user);
    }
    return users;
}

QJsonObject withReactions(QJsonObject body, const QJsonObject &reactions)
{
    if (reactions.isEmpty())
        body.remove(u"reactions"_s);
    else
        body.insert(u"reactions"_s, reactions);
    return body;
}

} // namespace

Result<QJsonObject> withReaction(QJsonObject body, const QString &emoji, qint64 user, bool on,
                                 int maxReactions)
{
    // Reactions live in the message: {"👍": [user ids…], …}.
    QJsonObject reactions = body.value(u"reactions"_s).toObject();
    auto users = toggledUser(reactions.value(emoji).toArray(), user, on, !reactions.contains(emoji),
                             reactions.size(), maxReactions);
    if (!users)
        return users.error();
    if (users->isEmpty())
        reactions.remove(emoji);
    else
        reactions.insert(emoji, *users);
    return withReactions(std::move(body), reactions);
}

QJsonObject withEncryptedEdit(QJsonObject body, qint64 seq, quint32 device,
                              const QByteArray &ciphertext, qint64 time)
{
    body.insert(u"edit"_s,
                QJsonObject{{u"seq"_s, seq},
                            {u"device"_s, qint64(device)},
                            {u"ciphertext"_s, keyfields::base64(ciphertext)}});
    body.insert(u"edited_at"_s, time);
    return body;
}

Result<QJsonObject> withEncryptedReaction(QJsonObject body, const QString &tag, qint64 user,
                                          quint32 device, const QByteArray &ciphertext, bool on,
                                          int maxReactions)
{
    // Reactions live in the message by tag: {tag: {"users", "sender", "device", "ciphertext"}}.
    QJsonObject reactions = body.value(u"reactions"_s).toObject();
    const bool known = reactions.contains(tag);
    QJsonObject entry = reactions.value(tag).toObject();
    auto users = toggledUser(entry.value(u"users"_s).toArray(), user, on, !known, reactions.size(),
                             maxReactions);
    if (!users)
        return users.error();
    // The reaction that makes the entry names its emoji for everyone who joins it later:
    // equal tags hold equal emoji, so one ciphertext serves them all.
    if (on && !known) {
        entry.insert(u"sender"_s, user);
        entry.insert(u"device"_s, qint64(device));
        entry.insert(u"ciphertext"_s, keyfields::base64(ciphertext));
    }
    if (users->isEmpty()) {
        reactions.remove(tag);
    } else {
        entry.insert(u"users"_s, *users);
        reactions.insert(tag, entry);
    }
    return withReactions(std::move(body), reactions);
}

} // namespace tidings::protocol::messages
