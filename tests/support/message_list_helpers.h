#pragma once

// Reading the app's message list the way its views do, for the model and UI tests.

#include "models/message_list_model.h"

#include <QString>

namespace tidings::test {

/// The row of the newest message with `text`, or -1 (also when there is no model yet).
int rowWithText(const app::MessageListModel *model, const QString &text);

/// The ticks of the newest message with `text`; Failed when there is no such message, so
/// that waiting for Sent, Delivered or Read goes on until it shows.
app::MessageListModel::State stateOf(const app::MessageListModel *model, const QString &text);

/// Whether the model holds an event line (SystemTextRole) saying `line`.
bool hasSystemLine(const app::MessageListModel *model, const QString &line);

} // namespace tidings::test
