#pragma once

// hiredis's own Qt adapter: RedisQtAdapter, a QObject that drives a redisAsyncContext from
// QSocketNotifiers. Its header spells `slots`, which QT_NO_KEYWORDS takes away, so this
// wrapper lends it the keyword for the length of the include (and moc's output for the
// adapter includes this file, see CMakeLists.txt).
//
// Lifetime rules the adapter leaves to its user (RedisClient keeps them):
// - its destructor writes to the context it drives, so it must die before the context is
//   freed;
// - its socket notifiers have no parent and go only through the context's cleanup hook.

#include <QObject>

#ifdef slots
#include <hiredis/adapters/qt.h>
#else
#define slots Q_SLOTS
#include <hiredis/adapters/qt.h>
#undef slots
#endif
