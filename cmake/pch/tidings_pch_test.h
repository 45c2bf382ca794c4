// Precompiled for every Tidings test that does not use Qt Widgets
// (cmake/TidingsPrecompiled.cmake): what the code's header has, and Qt Test. Qt Test's headers
// read QT_NETWORK_LIB and QT_GUI_LIB, so each combination of them has its own host.
#pragma once

#include "tidings_pch_core.h"

#include <QtTest/QtTest>
