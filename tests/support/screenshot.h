#pragma once

#include <QString>

class QWidget;

namespace tidings::test {

/// Renders `widget` to <test output dir>/<name>.png for people to review; returns the path
/// (empty if it could not be written).
QString saveScreenshot(QWidget *widget, const QString &name);

} // namespace tidings::test
