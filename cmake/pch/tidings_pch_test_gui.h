// Precompiled for every Tidings test that uses Qt Widgets (cmake/TidingsPrecompiled.cmake).
#pragma once

#include "tidings_pch_gui.h"

#include <QtTest/QtTest>
