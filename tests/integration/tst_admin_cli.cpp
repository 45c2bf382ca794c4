// tidings-relay user add|list|disable|enable|reset-password, while the relay runs.
#include "support/protocol_client.h"
#include "support/relay_process.h"
#include "support/test_paths.h"

#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestAdminCli : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;

    /// Runs an admin command while this thread's event loop keeps running: the test's
    /// signed-in clients answer the relay's pings here, and with a one-second heartbeat a
    /// command that took a few seconds on a busy machine got them closed for silence
    /// (4004) before the command could end them (4001).
    RelayProcess::Exit admin(const QStringList &words, const QByteArray &input = {})
    {
        QProcess process;
        process.start(relayBinary(),
                      m_relay.adminArguments() + QStringList{u"--password-cost"_s, u"minimum"_s}
                          + words);
        RelayProcess::Exit exit;
        if (!QTest::qWaitFor([&process] { return process.state() != QProcess::Starting; }, 30000)
            || process.state() != QProcess::Running) {
            exit.standardError = "(did not start)\n";
            return exit;
        }
        process.write(input);
        process.closeWriteChannel();
        if (!QTest::qWaitFor([&process] { return process.state() == QProcess::NotRunning; },
                             30000)) {
            process.kill();
            process.waitForFinished(5000);
            exit.standardError = "(killed after 30 s)\n" + process.readAllStandardError();
            return exit;
        }
        return RelayProcess::exitOf(process);
    }

    QJsonObject login(ProtocolClient &client, const QString &user, const QString &password)
    {
        if (!client.open(m_relay.webSocketUrl()) || !client.hello())
            return {};
        return client.request(u"login"_s, {{u"username"_s, user}, {u"password"_s, password}});
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Sessions are re-checked every heartbeat: one second here.
        QVERIFY2(m_relay.start({u"--heartbeat-seconds"_s, u"1"_s}),
                 qPrintable(m_relay.lastError()));
    }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void addListDisableEnable()
    {
        auto added = admin({u"user"_s, u"add"_s, u"Carol"_s, u"--display-name"_s, u"Carol C."_s,
                            u"--password-stdin"_s},
                           "carols password\n");
        QVERIFY2(added.exitCode == 0, added.standardError.constData());
        QVERIFY(added.standardOutput.contains("created user carol"));
        QVERIFY(!added.standardOutput.contains("password:")); // it was given, not made

        ProtocolClient carol;
        const QJsonObject session = login(carol, u"carol"_s, u"carols password"_s);
        QVERIFY(ProtocolClient::isOk(session));
        QCOMPARE(session.value(u"user"_s).toObject().value(u"display_name"_s).toString(),
                 u"Carol C."_s);

        const auto listed = admin({u"user"_s, u"list"_s});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY(QString::fromUtf8(listed.standardOutput)
                    .contains(QRegularExpression(u"carol\\s+Carol C\\.\\s+active"_s)));

        // Disabling ends the live session within a heartbeat or so, and sign-in is refused.
        QCOMPARE(admin({u"user"_s, u"disable"_s, u"carol"_s}).exitCode, 0);
        QCOMPARE(carol.waitForClose(15000), 4001);
        ProtocolClient again;
        QCOMPARE(ProtocolClient::errorCode(login(again, u"carol"_s, u"carols password"_s)),
                 u"forbidden"_s);
        QVERIFY(QString::fromUtf8(admin({u"user"_s, u"list"_s}).standardOutput)
                    .contains(QRegularExpression(u"carol.*disabled"_s)));

        QCOMPARE(admin({u"user"_s, u"enable"_s, u"carol"_s}).exitCode, 0);
        ProtocolClient back;
        QVERIFY(ProtocolClient::isOk(login(back, u"carol"_s, u"carols password"_s)));
    }

    void resetPasswordMakesOneAndEndsSessions()
    {
        QCOMPARE(
            admin({u"user"_s, u"add"_s, u"dan"_s, u"--password-stdin"_s}, "dans first password\n")
                .exitCode,
            0);
        ProtocolClient dan;
        QVERIFY(ProtocolClient::isOk(login(dan, u"dan"_s, u"dans first password"_s)));

        const auto reset = admin({u"user"_s, u"reset-password"_s, u"dan"_s});
        QCOMPARE(reset.exitCode, 0);
        const auto match = QRegularExpression(u"password: (\\S+)"_s)
                               .match(QString::fromUtf8(reset.standardOutput));
        QVERIFY(match.hasMatch());
        QVERIFY(reset.standardOutput.contains("ended 1 session"));
        QCOMPARE(dan.waitForClose(15000), 4001);

        ProtocolClient old;
        QCOMPARE(ProtocolClient::errorCode(login(old, u"dan"_s, u"dans first password"_s)),
                 u"unauthorized"_s);
        ProtocolClient fresh;
        QVERIFY(ProtocolClient::isOk(login(fresh, u"dan"_s, match.captured(1))));
    }

    void mistakesAreClear()
    {
        auto result = admin({u"user"_s, u"add"_s, u"x"_s});
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.standardError.contains("3 to 32"));
        result = admin({u"user"_s, u"add"_s, u"carol"_s});
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.standardError.contains("exists already"));
        result = admin({u"user"_s, u"disable"_s, u"nobody"_s});
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.standardError.contains("no user nobody"));
        result = admin({u"user"_s, u"explode"_s, u"carol"_s});
        QCOMPARE(result.exitCode, 2);
        QVERIFY(result.standardError.contains("unknown admin command"));
        result = admin({u"user"_s, u"add"_s, u"erin"_s, u"--password-stdin"_s}, "short\n");
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.standardError.contains("at least 8"));
        result = admin({u"user"_s, u"add"_s, u"erin"_s, u"--password-stdin"_s}, "");
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.standardError.contains("no password"));
    }
};

QTEST_GUILESS_MAIN(TestAdminCli)
#include "tst_admin_cli.moc"
