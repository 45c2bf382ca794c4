#include "support/test_paths.h"

#include <QDir>
#include <QtTest>

namespace tidings::test {

QString relayBinary()
{
    const QString path = qEnvironmentVariable("TIDINGS_RELAY_BINARY");
    if (path.isEmpty())
        qFatal("TIDINGS_RELAY_BINARY is not set: run this test through ctest");
    return path;
}

QString testOutputDirectory()
{
    QString path = qEnvironmentVariable("TIDINGS_TEST_OUTPUT_DIR");
    if (path.isEmpty())
        path = QDir::tempPath() + QStringLiteral("/tidings-test-output");
    QDir().mkpath(path);
    return path;
}

} // namespace tidings::test
