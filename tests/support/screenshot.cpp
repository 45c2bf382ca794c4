#include "support/screenshot.h"

#include "support/test_paths.h"

#include <QPixmap>
#include <QWidget>

namespace tidings::test {

QString saveScreenshot(QWidget *widget, const QString &name)
{
    const QString path = testOutputDirectory() + u'/' + name + QStringLiteral(".png");
    return widget->grab().save(path) ? path : QString();
}

} // namespace tidings::test
