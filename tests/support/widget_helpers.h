#pragma once

// Working widgets the way a user does, for the UI tests.

#include <QStringList>

class QObject;

namespace tidings::test {

/// Picks `path` (an action, or a submenu then an action) in the next popup menu to open,
/// and answers Yes to a confirmation that the action asks. An empty path: only the answer.
/// Call it before whatever opens the menu; what it starts dies with `context`.
void pickFromNextMenu(QObject *context, const QStringList &path);

} // namespace tidings::test
