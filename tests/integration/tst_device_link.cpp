// Linking a new device against the real relay: an offer made with the password from a
// device, found and answered by a new session of the same user, completed by the offering
// device; the relay passes keys and boxes as they came, one offer per user, and refuses
// every step out of turn (docs/protocol.md, "End-to-end encryption: linking a device").
#include "support/e2e_keys.h"
#include "support/protocol_client.h"
#include "support/protocol_replies.h"
#include "support/relay_process.h"

#include <QtTest>

using namespace tidings;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

QString reason(const QJsonObject &reply)
{
    return reply.value(u"code"_s).toString() + u": "_s + reply.value(u"message"_s).toString();
}

QByteArray key(char fill)
{
    return QByteArray(32, fill);
}

} // namespace

class TestDeviceLink : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;
    int m_users = 0;

    /// Signs `old` up as a new user with registered device 1; returns the username.
    QString setUp(ProtocolClient &old, E2eKeys &keys)
    {
        const QString username = u"linker%1"_s.arg(++m_users);
        keys.user = old.signUp(m_relay.webSocketUrl(), username);
        if (!keys.user || !ok(old.request(u"devices.publish"_s, keys.publish({1})))
            || !ok(old.request(u"device.register"_s, keys.registration(1))))
            return {};
        return username;
    }

    static QJsonObject offer(ProtocolClient &client, const QByteArray &ephemeral,
                             const QString &password = u"correct horse"_s)
    {
        return client.request(u"link.offer"_s,
                              {{u"password"_s, password}, {u"ephemeral"_s, b64(ephemeral)}});
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_relay.start(), qPrintable(m_relay.lastError())); }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void aNewDeviceIsLinkedThroughTheRelay()
    {
        ProtocolClient old, fresh;
        E2eKeys keys;
        const QString username = setUp(old, keys);
        QVERIFY(!username.isEmpty());
        QCOMPARE(fresh.signIn(m_relay.webSocketUrl(), username), keys.user);

        // Nothing offered yet; a wrong password offers nothing.
        QCOMPARE(code(fresh.request(u"link.find"_s)), u"not_found"_s);
        QCOMPARE(code(offer(old, key('E'), u"wrong horse"_s)), u"unauthorized"_s);
        QCOMPARE(code(fresh.request(u"link.find"_s)), u"not_found"_s);

        const QJsonObject offered = offer(old, key('E'));
        QVERIFY2(ok(offered), qPrintable(reason(offered)));
        const QString id = offered.value(u"offer"_s).toString();
        QCOMPARE(id.size(), 32);
        QVERIFY(offered.value(u"expires_at"_s).toInteger() > 0);

        // The new session finds it: E_O and the offering device, as sent.
        const QJsonObject found = fresh.request(u"link.find"_s);
        QVERIFY2(ok(found), qPrintable(reason(found)));
        QCOMPARE(found.value(u"offer"_s).toString(), id);
        QCOMPARE(found.value(u"ephemeral"_s).toString(), b64(key('E')));
        QCOMPARE(found.value(u"device"_s).toInteger(), 1);
        // A device does not find or answer offers; the offering one cannot complete early.
        QCOMPARE(code(old.request(u"link.find"_s)), u"forbidden"_s);
        QCOMPARE(code(old.request(u"link.complete"_s, {{u"offer"_s, id}, {u"box"_s, b64("x")}})),
                 u"conflict"_s);

        // The answer reaches the offering session as it came.
        const QJsonObject answer{
            {u"offer"_s, id}, {u"ephemeral"_s, b64(key('N'))}, {u"box"_s, b64("answer box")}};
        QVERIFY(ok(fresh.request(u"link.answer"_s, answer)));
        const QJsonObject answered = old.next(u"link.answer"_s);
        QCOMPARE(answered.value(u"offer"_s).toString(), id);
        QCOMPARE(answered.value(u"ephemeral"_s).toString(), b64(key('N')));
        QCOMPARE(answered.value(u"box"_s).toString(), b64("answer box"));
        // Once answered, it is no one else's to find or answer.
        QCOMPARE(code(fresh.request(u"link.find"_s)), u"not_found"_s);
        ProtocolClient third;
        QCOMPARE(third.signIn(m_relay.webSocketUrl(), username), keys.user);
        QCOMPARE(code(third.request(u"link.answer"_s, answer)), u"conflict"_s);
        // Only the offering session completes it.
        QCOMPARE(code(third.request(u"link.complete"_s, {{u"offer"_s, id}, {u"box"_s, b64("x")}})),
                 u"forbidden"_s);

        QVERIFY(ok(old.request(u"link.complete"_s,
                               {{u"offer"_s, id}, {u"box"_s, b64("identity and history")}})));
        const QJsonObject completed = fresh.next(u"link.complete"_s);
        QCOMPARE(completed.value(u"offer"_s).toString(), id);
        QCOMPARE(completed.value(u"box"_s).toString(), b64("identity and history"));
        QVERIFY(!third.receives(u"link.complete"_s, 300));
        // It is gone.
        QCOMPARE(code(old.request(u"link.cancel"_s, {{u"offer"_s, id}})), u"not_found"_s);

        // The new device registers as the list the old one signed says.
        QVERIFY(ok(old.request(u"devices.publish"_s, keys.publish({1, 2}))));
        QVERIFY(ok(fresh.request(u"device.register"_s, keys.registration(2))));
    }

    void oneOfferPerUserAndEitherSideCancels()
    {
        ProtocolClient old, fresh, stranger;
        E2eKeys keys;
        const QString username = setUp(old, keys);
        QVERIFY(!username.isEmpty());
        QCOMPARE(fresh.signIn(m_relay.webSocketUrl(), username), keys.user);
        E2eKeys strangerKeys;
        QVERIFY(!setUp(stranger, strangerKeys).isEmpty());

        const QString first = offer(old, key('A')).value(u"offer"_s).toString();
        QVERIFY(ok(fresh.request(
            u"link.answer"_s,
            {{u"offer"_s, first}, {u"ephemeral"_s, b64(key('N'))}, {u"box"_s, b64("box")}})));
        QVERIFY(old.receives(u"link.answer"_s, 10000));

        // A new offer replaces it: its answering session hears it is over.
        const QString second = offer(old, key('B')).value(u"offer"_s).toString();
        QVERIFY(!second.isEmpty() && second != first);
        QCOMPARE(fresh.next(u"link.cancel"_s).value(u"offer"_s).toString(), first);
        QCOMPARE(fresh.request(u"link.find"_s).value(u"ephemeral"_s).toString(), b64(key('B')));

        // Another user's session cannot see, answer or cancel it.
        QCOMPARE(code(stranger.request(u"link.cancel"_s, {{u"offer"_s, second}})), u"not_found"_s);
        QCOMPARE(
            code(stranger.request(
                u"link.answer"_s,
                {{u"offer"_s, second}, {u"ephemeral"_s, b64(key('S'))}, {u"box"_s, b64("box")}})),
            u"forbidden"_s); // it has a device: offers are for new ones

        // The new side cancels: the offering side hears it, the offer is gone.
        QVERIFY(ok(fresh.request(
            u"link.answer"_s,
            {{u"offer"_s, second}, {u"ephemeral"_s, b64(key('N'))}, {u"box"_s, b64("box")}})));
        QVERIFY(old.receives(u"link.answer"_s, 10000));
        QVERIFY(ok(fresh.request(u"link.cancel"_s, {{u"offer"_s, second}})));
        QCOMPARE(old.next(u"link.cancel"_s).value(u"offer"_s).toString(), second);
        QCOMPARE(code(fresh.request(u"link.find"_s)), u"not_found"_s);

        // An offer goes with the session that made it.
        const QString third = offer(old, key('C')).value(u"offer"_s).toString();
        QVERIFY(!third.isEmpty());
        QVERIFY(ok(old.request(u"logout"_s)));
        QCOMPARE(code(fresh.request(u"link.find"_s)), u"not_found"_s);
        // A session with no device makes no offer.
        QCOMPARE(code(offer(fresh, key('D'))), u"forbidden"_s);
        // Malformed requests are refused before anything happens.
        QCOMPARE(code(fresh.request(u"link.answer"_s,
                                    {{u"offer"_s, u"not an id"_s},
                                     {u"ephemeral"_s, b64(key('N'))},
                                     {u"box"_s, b64("box")}})),
                 u"bad_request"_s);
    }
};

QTEST_GUILESS_MAIN(TestDeviceLink)
#include "tst_device_link.moc"
