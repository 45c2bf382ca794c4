// The device inbox of end-to-end encryption against the real relay: key messages between
// devices, stored before anyone hears of them, kept until the recipient acks, idempotent by
// client id, written only where the sender may write, surviving kill -9
// (docs/protocol.md, "End-to-end encryption: the device inbox").
#include "support/e2e_keys.h"
#include "support/protocol_client.h"
#include "support/protocol_replies.h"
#include "support/relay_process.h"

#include <QJsonArray>
#include <QtTest>

using namespace tidings;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

QString reason(const QJsonObject &reply)
{
    return reply.value(u"code"_s).toString() + u": "_s + reply.value(u"message"_s).toString();
}

QJsonObject to(qint64 user, quint32 device, const QByteArray &body)
{
    return {{u"user"_s, user}, {u"device"_s, qint64(device)}, {u"body"_s, b64(body)}};
}

QJsonObject sendFields(const QString &clientId, const QJsonArray &messages)
{
    return {{u"client_id"_s, clientId}, {u"messages"_s, messages}};
}

QJsonObject fetchFields(qint64 after, int limit = 100)
{
    return {{u"after"_s, after}, {u"limit"_s, limit}};
}

/// The (user, device, reason) of each undelivered entry of an inbox.send result.
QStringList undelivered(const QJsonObject &reply)
{
    QStringList entries;
    for (const QJsonValue &entry : reply.value(u"undelivered"_s).toArray()) {
        const QJsonObject object = entry.toObject();
        entries.append(u"%1/%2 %3"_s.arg(object.value(u"user"_s).toInteger())
                           .arg(object.value(u"device"_s).toInteger())
                           .arg(object.value(u"reason"_s).toString()));
    }
    return entries;
}

QList<QByteArray> bodies(const QJsonObject &page)
{
    QList<QByteArray> found;
    for (const QJsonValue &message : page.value(u"messages"_s).toArray())
        found.append(
            QByteArray::fromBase64(message.toObject().value(u"body"_s).toString().toLatin1()));
    return found;
}

} // namespace

class TestDeviceInbox : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;
    int m_users = 0;
    QHash<qint64, QString> m_usernames;

    QString nextName(const QString &base) { return u"%1%2"_s.arg(base).arg(++m_users); }

    /// Signs `client` in as `keys`' user in a new session and registers it as `device`.
    bool addDevice(RelayProcess &relay, ProtocolClient &client, E2eKeys &keys, quint32 device)
    {
        if (client.signIn(relay.webSocketUrl(), m_usernames.value(keys.user)) != keys.user)
            return false;
        return ok(client.request(u"device.register"_s, keys.registration(device, u"phone"_s)));
    }

    /// Signs `client` up as a new user whose list holds `devices`, and registers the first.
    bool setUp(RelayProcess &relay, ProtocolClient &client, E2eKeys &keys, const QString &name,
               const QList<quint32> &devices)
    {
        const QString username = nextName(name);
        keys.user = client.signUp(relay.webSocketUrl(), username);
        if (!keys.user)
            return false;
        m_usernames.insert(keys.user, username);
        return ok(client.request(u"devices.publish"_s, keys.publish(devices)))
            && ok(client.request(u"device.register"_s, keys.registration(devices.constFirst())));
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_relay.start(), qPrintable(m_relay.lastError())); }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void aKeyMessageWaitsForItsDevicesAck()
    {
        ProtocolClient laptop, phone;
        E2eKeys alice;
        QVERIFY(setUp(m_relay, laptop, alice, u"alice"_s, {1, 2}));
        QVERIFY(addDevice(m_relay, phone, alice, 2));

        const QJsonObject sent = laptop.request(
            u"inbox.send"_s, sendFields(u"k1"_s, {to(alice.user, 2, "sender key for 2")}));
        QVERIFY2(ok(sent), qPrintable(reason(sent)));
        QCOMPARE(sent.value(u"duplicate"_s).toBool(), false);
        QCOMPARE(sent.value(u"stored"_s).toInt(), 1);
        QVERIFY(undelivered(sent).isEmpty());

        // The live device hears of it, from whom and with what.
        const QJsonObject event = phone.next(u"inbox"_s);
        QCOMPARE(event.value(u"seq"_s).toInteger(), 1);
        QCOMPARE(event.value(u"user"_s).toInteger(), alice.user);
        QCOMPARE(event.value(u"device"_s).toInteger(), 1);
        QCOMPARE(event.value(u"body"_s).toString(), b64("sender key for 2"));
        QVERIFY(event.value(u"time"_s).toInteger() > 0);

        // A retry with the same client id stores nothing and answers as the first time.
        const QJsonObject retry = laptop.request(
            u"inbox.send"_s, sendFields(u"k1"_s, {to(alice.user, 2, "another body")}));
        QVERIFY(ok(retry));
        QCOMPARE(retry.value(u"duplicate"_s).toBool(), true);
        QCOMPARE(retry.value(u"stored"_s).toInt(), 1);
        QVERIFY(!phone.receives(u"inbox"_s, 300));

        // Until acked it stays; the laptop (the sender) has an inbox of its own, empty.
        const QJsonObject page = phone.request(u"inbox.fetch"_s, fetchFields(0));
        QVERIFY2(ok(page), qPrintable(reason(page)));
        QCOMPARE(bodies(page), QList<QByteArray>{"sender key for 2"});
        QCOMPARE(page.value(u"more"_s).toBool(), false);
        const QJsonObject message = page.value(u"messages"_s).toArray().at(0).toObject();
        QCOMPARE(message.value(u"seq"_s).toInteger(), 1);
        QCOMPARE(message.value(u"time"_s).toInteger(), event.value(u"time"_s).toInteger());
        QVERIFY(bodies(laptop.request(u"inbox.fetch"_s, fetchFields(0))).isEmpty());

        QVERIFY(ok(phone.request(u"inbox.ack"_s, {{u"up_to"_s, 1}})));
        QVERIFY(bodies(phone.request(u"inbox.fetch"_s, fetchFields(0))).isEmpty());

        // Seqs go on rising after an ack (even one past the last); pages say there is more.
        QVERIFY(ok(phone.request(u"inbox.ack"_s, {{u"up_to"_s, 50}})));
        for (int i = 0; i < 3; ++i) {
            const QJsonObject next = laptop.request(
                u"inbox.send"_s,
                sendFields(u"p%1"_s.arg(i), {to(alice.user, 2, "page " + QByteArray::number(i))}));
            QVERIFY(ok(next));
            QCOMPARE(phone.next(u"inbox"_s).value(u"seq"_s).toInteger(), 2 + i);
        }
        const QJsonObject first = phone.request(u"inbox.fetch"_s, fetchFields(0, 2));
        QCOMPARE(bodies(first), (QList<QByteArray>{"page 0", "page 1"}));
        QCOMPARE(first.value(u"more"_s).toBool(), true);
        const QJsonObject rest = phone.request(u"inbox.fetch"_s, fetchFields(3, 2));
        QCOMPARE(bodies(rest), QList<QByteArray>{"page 2"});
        QCOMPARE(rest.value(u"more"_s).toBool(), false);
        // An ack below what was acked changes nothing.
        QVERIFY(ok(phone.request(u"inbox.ack"_s, {{u"up_to"_s, 2}})));
        QCOMPARE(bodies(phone.request(u"inbox.fetch"_s, fetchFields(0))).size(), 2);
    }

    void onlyDevicesWriteAndOnlyWhereTheyMay()
    {
        ProtocolClient aliceClient, bobClient, carolClient, deviceless;
        E2eKeys alice, bob, carol;
        QVERIFY(setUp(m_relay, aliceClient, alice, u"alice"_s, {1}));
        QVERIFY(setUp(m_relay, bobClient, bob, u"bob"_s, {5, 6}));
        QVERIFY(setUp(m_relay, carolClient, carol, u"carol"_s, {9}));

        // Strangers are forbidden, whether or not the device exists: nothing is told about
        // the devices of people one shares no conversation with.
        const QJsonArray batch{to(bob.user, 5, "to bob"), to(bob.user, 6, "to bob's 6"),
                               to(carol.user, 9, "to carol"), to(alice.user, 77, "to nobody")};
        const QJsonObject strangers
            = aliceClient.request(u"inbox.send"_s, sendFields(u"s1"_s, batch));
        QVERIFY2(ok(strangers), qPrintable(reason(strangers)));
        QCOMPARE(strangers.value(u"stored"_s).toInt(), 0);
        QCOMPARE(undelivered(strangers),
                 (QStringList{u"%1/5 forbidden"_s.arg(bob.user), u"%1/6 forbidden"_s.arg(bob.user),
                              u"%1/9 forbidden"_s.arg(carol.user),
                              u"%1/77 not_registered"_s.arg(alice.user)}));

        // A shared conversation opens the way to registered devices.
        QVERIFY(aliceClient.openDirect(bob.user) > 0);
        const QJsonObject contacts
            = aliceClient.request(u"inbox.send"_s, sendFields(u"s2"_s, batch));
        QCOMPARE(contacts.value(u"stored"_s).toInt(), 1);
        QCOMPARE(undelivered(contacts),
                 (QStringList{u"%1/6 not_registered"_s.arg(bob.user),
                              u"%1/9 forbidden"_s.arg(carol.user),
                              u"%1/77 not_registered"_s.arg(alice.user)}));
        QCOMPARE(bobClient.next(u"inbox"_s).value(u"body"_s).toString(), b64("to bob"));

        // A block closes it again, either way round.
        QVERIFY(ok(bobClient.request(u"user.block"_s, {{u"user"_s, alice.user}})));
        const QJsonObject blocked = aliceClient.request(
            u"inbox.send"_s, sendFields(u"s3"_s, {to(bob.user, 5, "after the block")}));
        QCOMPARE(undelivered(blocked), QStringList{u"%1/5 forbidden"_s.arg(bob.user)});
        const QJsonObject back = bobClient.request(
            u"inbox.send"_s, sendFields(u"s3"_s, {to(alice.user, 1, "from the blocker")}));
        QCOMPARE(undelivered(back), QStringList{u"%1/1 forbidden"_s.arg(alice.user)});
        QCOMPARE(bodies(bobClient.request(u"inbox.fetch"_s, fetchFields(0))),
                 QList<QByteArray>{"to bob"});

        // A session that registered no device has no inbox and writes to none.
        QCOMPARE(deviceless.signIn(m_relay.webSocketUrl(), m_usernames.value(carol.user)),
                 carol.user);
        QCOMPARE(code(deviceless.request(u"inbox.send"_s,
                                         sendFields(u"d1"_s, {to(carol.user, 9, "x")}))),
                 u"forbidden"_s);
        QCOMPARE(code(deviceless.request(u"inbox.fetch"_s, fetchFields(0))), u"forbidden"_s);
        QCOMPARE(code(deviceless.request(u"inbox.ack"_s, {{u"up_to"_s, 1}})), u"forbidden"_s);
        QVERIFY(bodies(carolClient.request(u"inbox.fetch"_s, fetchFields(0))).isEmpty());

        // What does not decode is refused and stores nothing.
        QCOMPARE(
            code(aliceClient.request(u"inbox.send"_s,
                                     sendFields(u"s4"_s,
                                                {QJsonObject{{u"user"_s, bob.user},
                                                             {u"device"_s, 5},
                                                             {u"body"_s, u"not base64!"_s}}}))),
            u"bad_request"_s);
        QCOMPARE(code(aliceClient.request(
                     u"inbox.send"_s,
                     sendFields(u"s5"_s, {to(bob.user, 5, QByteArray(64 * 1024 + 1, 'x'))}))),
                 u"too_large"_s);
    }

    void whatWasStoredSurvivesKillDashNine()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        ProtocolClient laptop, phone;
        E2eKeys alice;
        QVERIFY(setUp(relay, laptop, alice, u"alice"_s, {1, 2}));
        QVERIFY(addDevice(relay, phone, alice, 2));
        const QString phoneToken = phone.token();
        QVERIFY(!phoneToken.isEmpty());
        phone.close();

        // A burst in flight, then SIGKILL the moment the last answer arrives.
        QStringList ids;
        for (int i = 0; i < 30; ++i)
            ids.append(laptop.post(
                u"inbox.send"_s,
                sendFields(u"b%1"_s.arg(i), {to(alice.user, 2, "key " + QByteArray::number(i))})));
        for (const QString &id : std::as_const(ids))
            QCOMPARE(laptop.reply(id).value(u"stored"_s).toInt(), 1);
        relay.kill();
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));

        // The phone comes back on its session: all 30, in order, once each.
        QCOMPARE(phone.resume(relay.webSocketUrl(), phoneToken), alice.user);
        const QJsonObject page = phone.request(u"inbox.fetch"_s, fetchFields(0));
        QVERIFY2(ok(page), qPrintable(reason(page)));
        QList<QByteArray> expected;
        for (int i = 0; i < 30; ++i)
            expected.append("key " + QByteArray::number(i));
        QCOMPARE(bodies(page), expected);
        qint64 seq = 0;
        for (const QJsonValue &message : page.value(u"messages"_s).toArray())
            QCOMPARE(message.toObject().value(u"seq"_s).toInteger(), ++seq);

        // Retries after the crash are duplicates.
        QVERIFY(laptop.resume(relay.webSocketUrl(), laptop.token()));
        const QJsonObject retry = laptop.request(
            u"inbox.send"_s, sendFields(u"b7"_s, {to(alice.user, 2, "key 7 again")}));
        QCOMPARE(retry.value(u"duplicate"_s).toBool(), true);
        QCOMPARE(bodies(phone.request(u"inbox.fetch"_s, fetchFields(0))).size(), 30);

        // Removing the device takes its inbox: the id, registered again, starts empty.
        const QJsonObject removed
            = laptop.request(u"device.remove"_s,
                             {{u"device"_s, 2}, {u"list"_s, alice.publish({1}).value(u"list"_s)}});
        QVERIFY2(ok(removed), qPrintable(reason(removed)));
        QCOMPARE(phone.waitForClose(), 4001);
        ProtocolClient newPhone;
        QVERIFY(ok(laptop.request(u"devices.publish"_s, alice.publish({1, 2}))));
        QVERIFY(addDevice(relay, newPhone, alice, 2));
        QVERIFY(bodies(newPhone.request(u"inbox.fetch"_s, fetchFields(0))).isEmpty());
        QCOMPARE(relay.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDeviceInbox)
#include "tst_device_inbox.moc"
