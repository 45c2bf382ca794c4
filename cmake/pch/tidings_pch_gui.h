// Precompiled for every Tidings target that uses Qt Widgets (cmake/TidingsPrecompiled.cmake):
// the core set and the GUI modules.
#pragma once

#include "tidings_pch_core.h"

#include <QtGui/QtGui>
#include <QtWidgets/QtWidgets>
