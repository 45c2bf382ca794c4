#pragma once

#include <QString>

#include <functional>

class QWidget;

namespace tidings::app {

/// Asks why something is reported, in a window-modal box named `objectName` (for scripts);
/// `reported` gets the reason, trimmed, once the user confirms a non-empty one.
void askReportReason(QWidget *parent, const QString &objectName, const QString &title,
                     const QString &label, std::function<void(const QString &)> reported);

} // namespace tidings::app
