// Precompiled for every Tidings target that uses Qt but not Qt GUI
// (cmake/TidingsPrecompiled.cmake). Only headers whose meaning does not depend on the target's own
// macros: Qt Test's do (QT_GUI_LIB, QT_WIDGETS_LIB), so they are in the tests' headers only.
// Nothing here is a reason not to include what a file uses: a build without precompiled headers
// must still compile.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <QtCore/QtCore>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtSql/QSqlDatabase>
#include <QtSql/QSqlError>
#include <QtSql/QSqlQuery>
