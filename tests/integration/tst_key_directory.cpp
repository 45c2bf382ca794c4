// The key directory of end-to-end encryption against the real relay: identities and signed
// device lists, devices one per session, prekeys handed out once, and who may claim them
// (docs/protocol.md, "End-to-end encryption: the key directory").
#include "e2e/device_keys.h"
#include "e2e/prekeys.h"
#include "support/e2e_keys.h"
#include "support/protocol_client.h"
#include "support/protocol_replies.h"
#include "support/relay_process.h"

#include <QJsonArray>
#include <QtTest>

#include <map>

using namespace tidings;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

QString reason(const QJsonObject &reply)
{
    return reply.value(u"code"_s).toString() + u": "_s + reply.value(u"message"_s).toString();
}

QJsonArray addresses(const QList<std::pair<qint64, quint32>> &devices)
{
    QJsonArray list;
    for (const auto &[user, device] : devices)
        list.append(QJsonObject{{u"user"_s, user}, {u"device"_s, qint64(device)}});
    return list;
}

} // namespace

class TestKeyDirectory : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;
    int m_users = 0;

    QString nextName(const QString &base) { return u"%1%2"_s.arg(base).arg(++m_users); }

    /// Signs `client` up, publishes an identity with device `device` and registers it.
    bool setUp(ProtocolClient &client, E2eKeys &keys, const QString &name, quint32 device)
    {
        keys.user = client.signUp(m_relay.webSocketUrl(), nextName(name));
        if (!keys.user)
            return false;
        const QJsonObject published = client.request(u"devices.publish"_s, keys.publish({device}));
        const QJsonObject registered
            = client.request(u"device.register"_s, keys.registration(device));
        return ok(published) && ok(registered);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_relay.start(), qPrintable(m_relay.lastError())); }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void aDeviceIsRegisteredUnderItsPublishedIdentity()
    {
        ProtocolClient alice;
        E2eKeys keys;
        keys.user = alice.signUp(m_relay.webSocketUrl(), nextName(u"alice"_s));
        QVERIFY(keys.user);

        // No identity yet: nothing to register under.
        QCOMPARE(code(alice.request(u"device.register"_s, keys.registration(7))), u"not_found"_s);

        const QJsonObject published = alice.request(u"devices.publish"_s, keys.publish({7}));
        QVERIFY2(ok(published), qPrintable(reason(published)));
        QCOMPARE(published.value(u"version"_s).toInteger(), 1);

        const QJsonObject registered = alice.request(u"device.register"_s, keys.registration(7));
        QVERIFY2(ok(registered), qPrintable(reason(registered)));
        const QJsonObject device = registered.value(u"device"_s).toObject();
        QCOMPARE(device.value(u"id"_s).toInteger(), 7);
        QCOMPARE(device.value(u"user"_s).toInteger(), keys.user);
        QVERIFY(device.value(u"current"_s).toBool());

        // One device per session.
        QCOMPARE(code(alice.request(u"device.register"_s, keys.registration(8))), u"conflict"_s);

        // What devices.get hands out verifies with the identity key.
        const QJsonObject got
            = alice.request(u"devices.get"_s, {{u"users"_s, QJsonArray{keys.user}}});
        QVERIFY2(ok(got), qPrintable(reason(got)));
        const QJsonArray users = got.value(u"users"_s).toArray();
        QCOMPARE(users.size(), 1);
        const QJsonObject entry = users.first().toObject();
        QCOMPARE(QByteArray::fromBase64(entry.value(u"identity_key"_s).toString().toLatin1()),
                 keys.identity.publicKey());
        const auto list = e2e::DeviceList::decode(
            QByteArray::fromBase64(entry.value(u"list"_s).toString().toLatin1()));
        QVERIFY(list);
        QVERIFY(list->verify(keys.identity.publicKey()).ok());
        QCOMPARE(entry.value(u"devices"_s).toArray().size(), 1);
    }

    void signaturesThatDoNotVerifyAreRefused()
    {
        ProtocolClient alice, mallory;
        E2eKeys keys, other;
        keys.user = alice.signUp(m_relay.webSocketUrl(), nextName(u"alice"_s));
        other.user = mallory.signUp(m_relay.webSocketUrl(), nextName(u"mallory"_s));
        QVERIFY(keys.user && other.user);

        // A list signed by another key than the one published with it.
        QJsonObject forged = keys.publish({1});
        forged.insert(u"identity_key"_s, b64(other.identity.publicKey()));
        QCOMPARE(code(alice.request(u"devices.publish"_s, forged)), u"bad_request"_s);
        // A list that names another user.
        QJsonObject theirs = other.publish({1});
        QCOMPARE(code(alice.request(u"devices.publish"_s, theirs)), u"bad_request"_s);

        keys.version = 0;
        QVERIFY(ok(alice.request(u"devices.publish"_s, keys.publish({1}))));
        // A certificate naming Alice's device but signed by another identity, and one for
        // another device than the one registered.
        QJsonObject registration = keys.registration(1);
        const auto forgedCertificate = e2e::DeviceCertificate::issue(
            other.identity, QString::number(keys.user), 1, keys.device(1).publicKey());
        registration.insert(u"certificate"_s, b64(forgedCertificate->encode()));
        QCOMPARE(code(alice.request(u"device.register"_s, registration)), u"bad_request"_s);
        QJsonObject mismatched = keys.registration(1);
        mismatched.insert(u"device"_s, 2);
        QCOMPARE(code(alice.request(u"device.register"_s, mismatched)), u"bad_request"_s);
        // An older or equal version.
        keys.version = 0;
        QCOMPARE(code(alice.request(u"devices.publish"_s, keys.publish({1}))), u"conflict"_s);

        // A signed prekey the device key did not sign.
        QVERIFY(ok(alice.request(u"device.register"_s, keys.registration(1))));
        QJsonObject prekeys = keys.prekeys(1, 1, 2);
        QJsonObject signedPrekey = prekeys.value(u"signed_prekey"_s).toObject();
        signedPrekey.insert(u"signature"_s,
                            b64(other.device(1).sign(QByteArray("tidings-spk-v1"))));
        prekeys.insert(u"signed_prekey"_s, signedPrekey);
        QCOMPARE(code(alice.request(u"prekeys.upload"_s, prekeys)), u"bad_request"_s);
        const QJsonObject count = alice.request(u"prekeys.count"_s);
        QVERIFY2(ok(count), qPrintable(reason(count)));
        QCOMPARE(count.value(u"count"_s).toInteger(), 0); // nothing of the refused upload
    }

    void eachOneTimePrekeyIsHandedOutOnce()
    {
        ProtocolClient alice, bob;
        E2eKeys aliceKeys, bobKeys;
        QVERIFY(setUp(alice, aliceKeys, u"alice"_s, 1));
        QVERIFY(setUp(bob, bobKeys, u"bob"_s, 5));
        QVERIFY(alice.openDirect(bobKeys.user) > 0);

        const QJsonObject uploaded = bob.request(u"prekeys.upload"_s, bobKeys.prekeys(5, 100, 21));
        QVERIFY2(ok(uploaded), qPrintable(reason(uploaded)));
        QCOMPARE(uploaded.value(u"count"_s).toInteger(), 21);
        // An id stored already is refused, and nothing of that upload is stored.
        QCOMPARE(code(bob.request(u"prekeys.upload"_s, bobKeys.prekeys(5, 120, 2))), u"conflict"_s);

        QSet<qint64> seen;
        for (int i = 0; i < 2; ++i) {
            const QJsonObject claimed = alice.request(
                u"prekeys.claim"_s, {{u"devices"_s, addresses({{bobKeys.user, 5}})}});
            QVERIFY2(ok(claimed), qPrintable(reason(claimed)));
            const QJsonArray bundles = claimed.value(u"bundles"_s).toArray();
            QCOMPARE(bundles.size(), 1);
            const QJsonObject bundle = bundles.first().toObject();
            QCOMPARE(bundle.value(u"device"_s).toInteger(), 5);
            const qint64 id = bundle.value(u"one_time"_s).toObject().value(u"id"_s).toInteger();
            QVERIFY(id >= 100 && id < 121);
            QVERIFY2(!seen.contains(id), "a one-time prekey was handed out twice");
            seen.insert(id);
            // What the relay hands out verifies as the protocol wants it.
            const auto certificate = e2e::DeviceCertificate::decode(
                QByteArray::fromBase64(bundle.value(u"certificate"_s).toString().toLatin1()));
            QVERIFY(certificate);
            QVERIFY(certificate->verify(bobKeys.identity.publicKey()).ok());
        }
        // 19 left: the device is told to top them up.
        const QJsonObject low = bob.next(u"prekeys.low"_s);
        QCOMPARE(low.value(u"count"_s).toInteger(), 19);
        const QJsonObject count = bob.request(u"prekeys.count"_s);
        QCOMPARE(count.value(u"count"_s).toInteger(), 19);
        QCOMPARE(count.value(u"signed_prekey"_s).toInteger(), 1);
    }

    void strangersGetNoPrekeys()
    {
        ProtocolClient bob, eve;
        E2eKeys bobKeys, eveKeys;
        QVERIFY(setUp(bob, bobKeys, u"bob"_s, 3));
        QVERIFY(setUp(eve, eveKeys, u"eve"_s, 4));
        QVERIFY(ok(bob.request(u"prekeys.upload"_s, bobKeys.prekeys(3, 1, 5))));

        // Eve shares no conversation with Bob: his device is left out, and his keys stay.
        const QJsonObject claimed
            = eve.request(u"prekeys.claim"_s, {{u"devices"_s, addresses({{bobKeys.user, 3}})}});
        QVERIFY2(ok(claimed), qPrintable(reason(claimed)));
        QCOMPARE(claimed.value(u"bundles"_s).toArray().size(), 0);
        QCOMPARE(bob.request(u"prekeys.count"_s).value(u"count"_s).toInteger(), 5);
    }

    void contactsHearOfNewDevices()
    {
        ProtocolClient alice, bob;
        E2eKeys aliceKeys, bobKeys;
        QVERIFY(setUp(alice, aliceKeys, u"alice"_s, 1));
        QVERIFY(setUp(bob, bobKeys, u"bob"_s, 2));
        QVERIFY(alice.openDirect(bobKeys.user) > 0);
        alice.takeEvents();

        QVERIFY(ok(bob.request(u"devices.publish"_s, bobKeys.publish({2, 9}))));
        const QJsonObject event = alice.next(u"devices"_s);
        QCOMPARE(event.value(u"user"_s).toInteger(), bobKeys.user);
        QCOMPARE(event.value(u"version"_s).toInteger(), 2);
        QCOMPARE(event.value(u"identity_changed"_s).toBool(), false);
    }

    void aResetIdentityEndsTheOtherDevices()
    {
        ProtocolClient laptop, phone;
        E2eKeys keys;
        QVERIFY(setUp(laptop, keys, u"carol"_s, 1));
        const QString name = u"carol%1"_s.arg(m_users);
        QVERIFY(phone.signIn(m_relay.webSocketUrl(), name));
        QVERIFY(ok(phone.request(u"device.register"_s, keys.registration(2, u"phone"_s))));

        // Another identity key without reset is refused; with it, the phone's session ends.
        E2eKeys fresh;
        fresh.user = keys.user;
        fresh.version = keys.version;
        QCOMPARE(code(laptop.request(u"devices.publish"_s, fresh.publish({1}))), u"conflict"_s);
        fresh.version = keys.version;
        QVERIFY(ok(laptop.request(u"devices.publish"_s, fresh.publish({1}, true))));
        QCOMPARE(phone.waitForClose(), 4001);
        const QJsonObject got
            = laptop.request(u"devices.get"_s, {{u"users"_s, QJsonArray{keys.user}}});
        const QJsonObject entry = got.value(u"users"_s).toArray().first().toObject();
        QCOMPARE(QByteArray::fromBase64(entry.value(u"identity_key"_s).toString().toLatin1()),
                 fresh.identity.publicKey());
        QCOMPARE(entry.value(u"devices"_s).toArray().size(), 0); // the old ones are gone
    }

    void aRemovedDeviceIsSignedOutAndItsKeysGo()
    {
        ProtocolClient laptop, phone, bob;
        E2eKeys keys, bobKeys;
        QVERIFY(setUp(laptop, keys, u"dave"_s, 1));
        const QString name = u"dave%1"_s.arg(m_users);
        QVERIFY(phone.signIn(m_relay.webSocketUrl(), name));
        QVERIFY(ok(laptop.request(u"devices.publish"_s, keys.publish({1, 2}))));
        QVERIFY(ok(phone.request(u"device.register"_s, keys.registration(2, u"phone"_s))));
        QVERIFY(ok(phone.request(u"prekeys.upload"_s, keys.prekeys(2, 1, 3))));
        QVERIFY(setUp(bob, bobKeys, u"bob"_s, 1));
        QVERIFY(bob.openDirect(keys.user) > 0);

        // A list that still names the device is refused.
        const QJsonObject stale = keys.publish({1, 2});
        QCOMPARE(code(laptop.request(u"device.remove"_s,
                                     {{u"device"_s, 2}, {u"list"_s, stale.value(u"list"_s)}})),
                 u"bad_request"_s);
        const QJsonObject list = keys.publish({1});
        const QJsonObject removed = laptop.request(
            u"device.remove"_s, {{u"device"_s, 2}, {u"list"_s, list.value(u"list"_s)}});
        QVERIFY2(ok(removed), qPrintable(reason(removed)));
        QCOMPARE(phone.waitForClose(), 4001);
        const QJsonObject claimed
            = bob.request(u"prekeys.claim"_s, {{u"devices"_s, addresses({{keys.user, 2}})}});
        QCOMPARE(claimed.value(u"bundles"_s).toArray().size(), 0);
        QCOMPARE(code(laptop.request(
                     u"device.remove"_s,
                     {{u"device"_s, 2}, {u"list"_s, keys.publish({1}).value(u"list"_s)}})),
                 u"not_found"_s);
    }

    void aDeviceGoesWithItsSession()
    {
        ProtocolClient alice, bob;
        E2eKeys aliceKeys, bobKeys;
        QVERIFY(setUp(alice, aliceKeys, u"alice"_s, 1));
        QVERIFY(setUp(bob, bobKeys, u"bob"_s, 6));
        QVERIFY(alice.openDirect(bobKeys.user) > 0);
        QVERIFY(ok(bob.request(u"prekeys.upload"_s, bobKeys.prekeys(6, 1, 3))));

        QVERIFY(ok(bob.request(u"logout"_s)));
        const QJsonObject got
            = alice.request(u"devices.get"_s, {{u"users"_s, QJsonArray{bobKeys.user}}});
        QCOMPARE(
            got.value(u"users"_s).toArray().first().toObject().value(u"devices"_s).toArray().size(),
            0);
        const QJsonObject claimed
            = alice.request(u"prekeys.claim"_s, {{u"devices"_s, addresses({{bobKeys.user, 6}})}});
        QCOMPARE(claimed.value(u"bundles"_s).toArray().size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestKeyDirectory)
#include "tst_key_directory.moc"
