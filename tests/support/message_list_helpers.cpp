#include "support/message_list_helpers.h"

namespace tidings::test {

using app::MessageListModel;

int rowWithText(const MessageListModel *model, const QString &text)
{
    if (!model)
        return -1;
    for (int row = model->rowCount() - 1; row >= 0; --row) {
        if (model->index(row).data(MessageListModel::TextRole).toString() == text)
            return row;
    }
    return -1;
}

MessageListModel::State stateOf(const MessageListModel *model, const QString &text)
{
    const int row = rowWithText(model, text);
    return row < 0
        ? MessageListModel::State::Failed
        : model->index(row).data(MessageListModel::StateRole).value<MessageListModel::State>();
}

bool hasSystemLine(const MessageListModel *model, const QString &line)
{
    for (int row = 0; model && row < model->rowCount(); ++row) {
        if (model->index(row).data(MessageListModel::SystemTextRole).toString() == line)
            return true;
    }
    return false;
}

} // namespace tidings::test
