#include "support/test_paths.h"

#include <QDir>
#include <QtTest>

namespace tidings::test {

namespace {

QString binaryFromEnvironment(const char *variable)
{
    QString path = qEnvironmentVariable(variable);
    if (path.isEmpty())
        qFatal("%s is not set: run this test through ctest", variable);
    return path;
}

} // namespace

QString relayBinary()
{
    return binaryFromEnvironment("TIDINGS_RELAY_BINARY");
}

QString appBinary()
{
    return binaryFromEnvironment("TIDINGS_APP_BINARY");
}

QString benchBinary()
{
    return binaryFromEnvironment("TIDINGS_BENCH_BINARY");
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
