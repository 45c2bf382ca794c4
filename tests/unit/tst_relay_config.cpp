#include "config/relay_config.h"
#include "support/file_helpers.h"

#include <QCommandLineParser>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

using namespace tidings;
using namespace tidings::relay;
using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestRelayConfig : public QObject
{
    Q_OBJECT

    QTemporaryDir m_directory;

    QString writeConfigFile(const QByteArray &contents)
    {
        const QString path
            = writeFile(m_directory.filePath(u"relay-%1.conf"_s.arg(++m_files)), contents);
        if (path.isEmpty())
            qFatal("cannot write test config");
        return path;
    }
    int m_files = 0;

    static ConfigInputs inputs(QHash<QString, QString> flags,
                               const QHash<QString, QString> &environment = {})
    {
        ConfigInputs result;
        result.flags = std::move(flags);
        for (auto it = environment.cbegin(); it != environment.cend(); ++it)
            result.environment.insert(it.key(), it.value());
        return result;
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void defaultsWorkWithNoConfigAtAll()
    {
        const auto config = resolveRelayConfig(inputs({}));
        QVERIFY(config.ok());
        QCOMPARE(config->listenAddress, QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(config->port, quint16(8420));
        QCOMPARE(config->dataDirectory, defaultDataDirectory());
        QVERIFY(config->dataDirectory.endsWith(u"/tidings-relay"));
        QVERIFY(!config->tlsEnabled());
        QCOMPARE(config->logFormat, LogFormat::Text);
        QCOMPARE(config->maxFrameBytes, qint64(256 * 1024));
        // The chat core keeps a core; the others serve connections.
        QCOMPARE(config->ioThreads, std::max(0, QThread::idealThreadCount() - 1));
        const auto none = resolveRelayConfig(inputs({}, {{u"TIDINGS_IO_THREADS"_s, u"0"_s}}));
        QVERIFY(none.ok());
        QCOMPARE(none->ioThreads, 0);
    }

    void flagsBeatEnvironmentBeatsFileBeatsDefault()
    {
        const QString file = writeConfigFile(
            "port = 1111\nlisten = 0.0.0.0\ndata-dir = /from/file\nlog-format = json\n");

        // File only.
        auto config = resolveRelayConfig(inputs({{u"config"_s, file}}));
        QVERIFY(config.ok());
        QCOMPARE(config->port, quint16(1111));
        QCOMPARE(config->dataDirectory, u"/from/file"_s);
        QCOMPARE(config->listenAddress, QHostAddress(QHostAddress::AnyIPv4));
        QCOMPARE(config->logFormat, LogFormat::Json);

        // Environment beats the file.
        config = resolveRelayConfig(
            inputs({{u"config"_s, file}},
                   {{u"TIDINGS_PORT"_s, u"2222"_s}, {u"TIDINGS_DATA_DIR"_s, u"/from/env"_s}}));
        QVERIFY(config.ok());
        QCOMPARE(config->port, quint16(2222));
        QCOMPARE(config->dataDirectory, u"/from/env"_s);
        QCOMPARE(config->listenAddress, QHostAddress(QHostAddress::AnyIPv4)); // still the file's

        // Flags beat both.
        config = resolveRelayConfig(inputs({{u"config"_s, file}, {u"port"_s, u"3333"_s}},
                                           {{u"TIDINGS_PORT"_s, u"2222"_s}}));
        QVERIFY(config.ok());
        QCOMPARE(config->port, quint16(3333));
    }

    void configFileCanComeFromEnvironment()
    {
        const QString file = writeConfigFile("port = 4444\n");
        const auto config = resolveRelayConfig(inputs({}, {{u"TIDINGS_CONFIG"_s, file}}));
        QVERIFY(config.ok());
        QCOMPARE(config->port, quint16(4444));
        QCOMPARE(config->configFile, file);
    }

    void invalidValuesNameTheirSource_data()
    {
        QTest::addColumn<QString>("setting");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expectedPart");
        QTest::newRow("port text") << u"port"_s << u"http"_s << u"invalid port 'http'"_s;
        QTest::newRow("port too big") << u"port"_s << u"70000"_s << u"0 to 65535"_s;
        QTest::newRow("port negative") << u"port"_s << u"-1"_s << u"0 to 65535"_s;
        QTest::newRow("listen") << u"listen"_s << u"example.org"_s << u"IPv4 or IPv6"_s;
        QTest::newRow("frame bytes") << u"max-frame-bytes"_s << u"10"_s << u"max-frame-bytes"_s;
        QTest::newRow("e2e") << u"e2e"_s << u"sometimes"_s << u"'required', 'optional' or 'off'"_s;
        QTest::newRow("backlog") << u"listen-backlog"_s << u"0"_s << u"listen-backlog"_s;
        QTest::newRow("io threads") << u"io-threads"_s << u"65"_s << u"io-threads"_s;
        QTest::newRow("log format") << u"log-format"_s << u"xml"_s << u"'text' or 'json'"_s;
        QTest::newRow("event loop") << u"event-loop"_s << u"glib"_s << u"'epoll' or 'qt'"_s;
        QTest::newRow("empty data dir") << u"data-dir"_s << u" "_s << u"data directory"_s;
        QTest::newRow("push window") << u"push-coalesce-ms"_s << u"-5"_s << u"push-coalesce-ms"_s;
        QTest::newRow("push tries") << u"push-max-attempts"_s << u"0"_s << u"1 to 100"_s;
        QTest::newRow("push timeout") << u"push-timeout-ms"_s << u"10"_s << u"100 to 600000"_s;
        QTest::newRow("push sender") << u"push-show-sender"_s << u"maybe"_s << u"'yes' or 'no'"_s;
        QTest::newRow("push endpoints")
            << u"push-unifiedpush-endpoints"_s << u"ftp://x"_s << u"https:// or http://"_s;
        QTest::newRow("push fcm url") << u"push-fcm-url"_s << u"fcm.example"_s << u"http(s) URL"_s;
    }

    void invalidValuesNameTheirSource()
    {
        QFETCH(QString, setting);
        QFETCH(QString, value);
        QFETCH(QString, expectedPart);

        auto fromFlag = resolveRelayConfig(inputs({{setting, value}}));
        QVERIFY(!fromFlag.ok());
        QCOMPARE(fromFlag.error().code, ErrorCode::BadRequest);
        QVERIFY2(fromFlag.error().message.contains(expectedPart),
                 qPrintable(fromFlag.error().message));
        QVERIFY2(fromFlag.error().message.contains(u"--"_s + setting),
                 qPrintable(fromFlag.error().message));

        const QString variable = environmentVariableFor(setting);
        auto fromEnvironment = resolveRelayConfig(inputs({}, {{variable, value}}));
        QVERIFY(!fromEnvironment.ok());
        QVERIFY2(fromEnvironment.error().message.contains(variable),
                 qPrintable(fromEnvironment.error().message));
    }

    void encryptedMessagesMustFitInAFrame()
    {
        // Base64 of 1,000,000 bytes does not fit in the default 256 KiB frames.
        auto tooLarge = resolveRelayConfig(inputs({{u"max-ciphertext-bytes"_s, u"1000000"_s}}));
        QVERIFY(!tooLarge.ok());
        QCOMPARE(tooLarge.error().code, ErrorCode::BadRequest);
        QVERIFY2(tooLarge.error().message.contains(u"max-ciphertext-bytes"_s),
                 qPrintable(tooLarge.error().message));
        // With frames to carry it, it is taken.
        auto fits = resolveRelayConfig(inputs(
            {{u"max-ciphertext-bytes"_s, u"1000000"_s}, {u"max-frame-bytes"_s, u"2000000"_s}}));
        QVERIFY2(fits.ok(), fits.ok() ? "" : qPrintable(fits.error().message));
        QCOMPARE(fits->maxCiphertextBytes, 1000000);
        QVERIFY(!fits->e2e); // unset: the store decides (RelayServer)
        for (const auto &[text, setting] :
             {std::pair{u"off"_s, E2eSetting::Off}, std::pair{u"optional"_s, E2eSetting::Optional},
              std::pair{u"required"_s, E2eSetting::Required}}) {
            auto chosen = resolveRelayConfig(inputs({{u"e2e"_s, text}}));
            QVERIFY2(chosen.ok(), chosen.ok() ? "" : qPrintable(chosen.error().message));
            QCOMPARE(chosen->e2e, setting);
        }
        // Unset, it follows smaller frames down instead of refusing them.
        auto small = resolveRelayConfig(
            inputs({{u"max-frame-bytes"_s, u"8192"_s}, {u"max-text-bytes"_s, u"1000"_s}}));
        QVERIFY2(small.ok(), small.ok() ? "" : qPrintable(small.error().message));
        QCOMPARE(small->maxCiphertextBytes, (8192 - 4096) / 4 * 3);
    }

    void environmentVariableNames()
    {
        QCOMPARE(environmentVariableFor(u"data-dir"_s), u"TIDINGS_DATA_DIR"_s);
        QCOMPARE(environmentVariableFor(u"port"_s), u"TIDINGS_PORT"_s);
        QCOMPARE(environmentVariableFor(u"max-frame-bytes"_s), u"TIDINGS_MAX_FRAME_BYTES"_s);
    }

    void eventLoopIsChosenBeforeStart()
    {
#ifdef Q_OS_LINUX
        QCOMPARE(RelayConfig().eventLoop, EventLoop::Epoll);
#else
        QCOMPARE(RelayConfig().eventLoop, EventLoop::Qt);
#endif
#ifdef Q_OS_LINUX
        QCOMPARE(resolveRelayConfig(inputs({{
                     u"event-loop"_s,
                     u"epoll"_s
                 }}))->eventLoop,
                 EventLoop::Epoll);
#endif
        QCOMPARE(resolveRelayConfig(inputs({}))->eventLoop, RelayConfig().eventLoop);
        QCOMPARE(resolveRelayConfig(inputs({{u"event-loop"_s, u"qt"_s}}))->eventLoop,
                 EventLoop::Qt);
        QCOMPARE(resolveRelayConfig(inputs({}, {{u"TIDINGS_EVENT_LOOP"_s, u"qt"_s}}))->eventLoop,
                 EventLoop::Qt);
        // Not from the file: it is too late there, so say so rather than ignore it.
        const QString file = writeConfigFile("event-loop = qt\n");
        const auto fromFile = resolveRelayConfig(inputs({{u"config"_s, file}}));
        QVERIFY(!fromFile.ok());
        QVERIFY2(fromFile.error().message.contains(u"--event-loop"_s),
                 qPrintable(fromFile.error().message));

        // The raw command line, as main() reads it before the application exists.
        const char *none[] = {"tidings-relay"};
        const char *flag[] = {"tidings-relay", "--port", "0", "--event-loop", "qt"};
        const char *joined[] = {"tidings-relay", "--event-loop=qt"};
        const char *epoll[] = {"tidings-relay", "--event-loop=epoll"};
        qunsetenv("TIDINGS_EVENT_LOOP");
        QCOMPARE(eventLoopBeforeStart(1, none), RelayConfig().eventLoop);
        QCOMPARE(eventLoopBeforeStart(5, flag), EventLoop::Qt);
        QCOMPARE(eventLoopBeforeStart(2, joined), EventLoop::Qt);
        qputenv("TIDINGS_EVENT_LOOP", "qt");
        QCOMPARE(eventLoopBeforeStart(1, none), EventLoop::Qt);
#ifdef Q_OS_LINUX
        QCOMPARE(eventLoopBeforeStart(2, epoll), EventLoop::Epoll); // the flag wins
        qputenv("TIDINGS_EVENT_LOOP", "epoll");
        QCOMPARE(eventLoopBeforeStart(1, none), EventLoop::Epoll);
        QCOMPARE(eventLoopBeforeStart(5, flag), EventLoop::Qt);
#endif
        qunsetenv("TIDINGS_EVENT_LOOP");
    }

    void unknownKeyInFileIsAnError()
    {
        const QString file = writeConfigFile("prot = 8080\n");
        const auto config = resolveRelayConfig(inputs({{u"config"_s, file}}));
        QVERIFY(!config.ok());
        QVERIFY(config.error().message.contains(u"unknown setting 'prot'"_s));
    }

    void missingConfigFileIsAnError()
    {
        const auto config
            = resolveRelayConfig(inputs({{u"config"_s, m_directory.filePath(u"nope.conf"_s)}}));
        QVERIFY(!config.ok());
        QVERIFY(config.error().message.contains(u"does not exist"_s));
    }

    void tlsNeedsBothFiles()
    {
        auto config = resolveRelayConfig(inputs({{u"tls-cert"_s, u"/x/cert.pem"_s}}));
        QVERIFY(!config.ok());
        QVERIFY(config.error().message.contains(u"tls-key"_s));
        config = resolveRelayConfig(
            inputs({{u"tls-cert"_s, u"/x/c.pem"_s}, {u"tls-key"_s, u"/x/k.pem"_s}}));
        QVERIFY(config.ok());
        QVERIFY(config->tlsEnabled());
    }

    void pushSettings()
    {
        auto config = resolveRelayConfig(inputs({}));
        QVERIFY(config.ok());
        QCOMPARE(config->pushUnifiedPushPrefixes, QStringList{u"https://"_s});
        QVERIFY(config->pushWebhookUrl.isEmpty());

        // The webhook needs both its URL and its secret.
        config = resolveRelayConfig(inputs({{u"push-webhook-url"_s, u"https://h.example/x"_s}}));
        QVERIFY(!config.ok());
        QVERIFY(config.error().message.contains(u"push-webhook-secret-file"_s));

        config = resolveRelayConfig(inputs({{u"push-unifiedpush-endpoints"_s, u"none"_s},
                                            {u"push-apns-url"_s, u"https://apns.example/"_s},
                                            {u"push-show-sender"_s, u"yes"_s}}));
        QVERIFY(config.ok());
        QVERIFY(config->pushUnifiedPushPrefixes.isEmpty());
        QCOMPARE(config->pushApnsUrl, u"https://apns.example"_s); // no trailing slash
        QVERIFY(config->pushShowSender);
    }

    void ipv6AndLocalhostListen()
    {
        auto config = resolveRelayConfig(inputs({{u"listen"_s, u"::1"_s}}));
        QVERIFY(config.ok());
        QCOMPARE(config->listenAddress, QHostAddress(QHostAddress::LocalHostIPv6));
        config = resolveRelayConfig(inputs({{u"listen"_s, u"localhost"_s}}));
        QVERIFY(config.ok());
        QCOMPARE(config->listenAddress, QHostAddress(QHostAddress::LocalHost));
    }

    void commandLineOptionsReachTheConfig()
    {
        QCommandLineParser parser;
        addRelayOptions(parser);
        QVERIFY(parser.parse({u"tidings-relay"_s, u"--port"_s, u"0"_s, u"--data-dir=/d"_s,
                              u"--port-file"_s, u"/p"_s}));
        const auto config = resolveRelayConfig(configInputsFrom(parser, {}));
        QVERIFY(config.ok());
        QCOMPARE(config->port, quint16(0));
        QCOMPARE(config->dataDirectory, u"/d"_s);
        QCOMPARE(config->portFile, u"/p"_s);

        QCommandLineParser strict;
        addRelayOptions(strict);
        QVERIFY(!strict.parse({u"tidings-relay"_s, u"--no-such-flag"_s}));
    }
};

QTEST_GUILESS_MAIN(TestRelayConfig)
#include "tst_relay_config.moc"
