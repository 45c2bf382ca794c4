#include "protocol/messages/message_rules.h"

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

Result<QJsonObject> withReaction(QJsonObject body, const QString &emoji, qint64 user, bool on,
                                 int maxReactions)
{
    // Reactions live in the message: {"👍": [user ids…], …}.
    QJsonObject reactions = body.value(u"reactions"_s).toObject();
    QJsonArray users = reactions.value(emoji).toArray();
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
        if (!reactions.contains(emoji) && reactions.size() >= maxReactions)
            return Error{ErrorCode::TooLarge,
                         u"a message has at most %1 different reactions"_s.arg(maxReactions)};
        users.append(user);
    }
    if (users.isEmpty())
        reactions.remove(emoji);
    else
        reactions.insert(emoji, users);
    if (reactions.isEmpty())
        body.remove(u"reactions"_s);
    else
        body.insert(u"reactions"_s, reactions);
    return body;
}

} // namespace tidings::protocol::messages
