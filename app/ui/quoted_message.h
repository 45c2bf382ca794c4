#pragma once

#include <QString>

class QModelIndex;

namespace tidings::app {

/// What the reply and edit bars need of a message, read when the action was offered: a
/// model index would name whatever row is there when the action runs.
struct QuotedMessage
{
    qint64 seq = 0;
    QString text;
    QString senderName;

    /// The message at `index` of a MessageListModel.
    static QuotedMessage of(const QModelIndex &index);
};

} // namespace tidings::app
