#pragma once

#include <QString>

namespace tidings::app {

/// One or two letters for an avatar: the first letters of the first two words ("Alice
/// Smith" → "AS"), or the first letter ("bob" → "B"); "?" when there is nothing to show.
QString initialsOf(const QString &name);

} // namespace tidings::app
