#include "ui/quoted_message.h"

#include "models/message_list_model.h"

namespace tidings::app {

QuotedMessage QuotedMessage::of(const QModelIndex &index)
{
    return {index.data(MessageListModel::SeqRole).toLongLong(),
            index.data(MessageListModel::TextRole).toString(),
            index.data(MessageListModel::SenderNameRole).toString()};
}

} // namespace tidings::app
