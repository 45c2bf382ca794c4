// The key directory as typed values (common/protocol/messages/key_directory*.h): each request,
// object, result and event decodes what docs/protocol.md (sections 4 and 5) allows, refuses
// what it does not with the code and the field named, and encodes to what decodes back to
// itself. The e2e library's own encodings fit the bounds, and the spec names these types.
#include "e2e/keys.h"
#include "e2e/prekeys.h"
#include "protocol/messages/catalog.h"
#include "protocol/messages/key_directory.h"
#include "protocol/messages/key_directory_replies.h"
#include "protocol/messages/replies.h"

#include "support/protocol_spec.h"
#include "support/protocol_values.h"

#include <QFile>
#include <QJsonArray>
#include <QtTest>

using namespace tidings;
using namespace tidings::protocol::messages;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

QJsonObject signedPreKey()
{
    return {{u"id"_s, 1}, {u"key"_s, b64(32, 2)}, {u"signature"_s, b64(64, 3)}};
}

QJsonObject oneTimePreKey(qint64 id)
{
    return {{u"id"_s, id}, {u"key"_s, b64(32, int(id))}};
}

QJsonObject device()
{
    return {{u"user"_s, 1},
            {u"id"_s, 7},
            {u"key"_s, b64(32)},
            {u"certificate"_s, b64(120)},
            {u"name"_s, u"Laptop"_s},
            {u"created_at"_s, 1795000300000LL},
            {u"last_seen_at"_s, 1795000400000LL},
            {u"current"_s, true}};
}

QJsonObject userDevices()
{
    return {{u"user"_s, 1},
            {u"identity_key"_s, b64(32, 9)},
            {u"list"_s, b64(200)},
            {u"version"_s, 3},
            {u"devices"_s, QJsonArray{device()}}};
}

QJsonObject bundle()
{
    return {{u"user"_s, 2},
            {u"device"_s, 4294967295LL},
            {u"key"_s, b64(32)},
            {u"certificate"_s, b64(120)},
            {u"signed_prekey"_s, signedPreKey()},
            {u"one_time"_s, oneTimePreKey(5)}};
}

QJsonArray oneTimePreKeys(qsizetype count)
{
    QJsonArray array;
    for (qsizetype i = 0; i < count; ++i)
        array.append(oneTimePreKey(i));
    return array;
}

QJsonArray deviceAddresses(qsizetype count)
{
    QJsonArray array;
    for (qsizetype i = 0; i < count; ++i)
        array.append(QJsonObject{{u"user"_s, i + 1}, {u"device"_s, 7}});
    return array;
}

QJsonArray users(qsizetype count)
{
    QJsonArray array;
    for (qsizetype i = 0; i < count; ++i)
        array.append(i + 1);
    return array;
}

/// Decodes `fields` as what `type` names and, when it decodes, checks that its encoding
/// decodes to the same value. The error, if any.
std::optional<Error> decodeAs(const QString &type, const QJsonObject &fields)
{
    // requests
    if (type == QLatin1StringView(PublishDevices::kType))
        return roundTrip<PublishDevices>(fields);
    if (type == QLatin1StringView(RegisterDevice::kType))
        return roundTrip<RegisterDevice>(fields);
    if (type == QLatin1StringView(GetDevices::kType))
        return roundTrip<GetDevices>(fields);
    if (type == QLatin1StringView(RemoveDevice::kType))
        return roundTrip<RemoveDevice>(fields);
    if (type == QLatin1StringView(UploadPreKeys::kType))
        return roundTrip<UploadPreKeys>(fields);
    if (type == QLatin1StringView(ClaimPreKeys::kType))
        return roundTrip<ClaimPreKeys>(fields);
    if (type == QLatin1StringView(CountPreKeys::kType))
        return roundTrip<CountPreKeys>(fields);
    // objects, results, events
    if (type == u"device")
        return roundTrip<DeviceInfo>(fields);
    if (type == u"user devices")
        return roundTrip<UserDevices>(fields);
    if (type == u"prekey bundle")
        return roundTrip<PreKeyBundleInfo>(fields);
    if (type == u"devices.publish result")
        return roundTrip<DevicesPublished>(fields);
    if (type == u"device.register result")
        return roundTrip<DeviceRegistered>(fields);
    if (type == u"devices.get result")
        return roundTrip<DeviceDirectory>(fields);
    if (type == u"prekeys.upload result")
        return roundTrip<PreKeysStored>(fields);
    if (type == u"prekeys.claim result")
        return roundTrip<ClaimedPreKeys>(fields);
    if (type == u"prekeys.count result")
        return roundTrip<PreKeyCount>(fields);
    if (type == QLatin1StringView(DevicesEvent::kType))
        return roundTrip<DevicesEvent>(fields);
    if (type == QLatin1StringView(PreKeysLowEvent::kType))
        return roundTrip<PreKeysLowEvent>(fields);
    if (type == u"hello result")
        return roundTrip<Welcome>(fields);
    return Error{ErrorCode::Internal, u"no such type in this test: "_s + type};
}

} // namespace

class TestProtocolKeyDirectory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requests_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("fields");
        QTest::addColumn<QString>("code"); // empty: decodes
        QTest::addColumn<QString>("names"); // the fields the error names, comma-separated

        const auto ok = [](const char *name, const char *type, const QJsonObject &fields) {
            QTest::newRow(name) << QString::fromLatin1(type) << fields << QString() << QString();
        };
        const auto bad = [](const char *name, const char *type, const QJsonObject &fields,
                            const char *code, const char *names) {
            QTest::newRow(name) << QString::fromLatin1(type) << fields << QString::fromLatin1(code)
                                << QString::fromLatin1(names);
        };
        const QString key = b64(32);
        const QString longKey = b64(33);
        const QString shortKey = b64(31);

        // devices.publish
        const QJsonObject publish{
            {u"identity_key"_s, key}, {u"version"_s, 1}, {u"list"_s, b64(100)}};
        ok("publish", "devices.publish", publish);
        ok("publish reset", "devices.publish", with(publish, u"reset"_s, true));
        ok("publish no reset", "devices.publish", with(publish, u"reset"_s, false));
        ok("publish reset null", "devices.publish", with(publish, u"reset"_s, QJsonValue()));
        ok("publish version 2^53-1", "devices.publish",
           with(publish, u"version"_s, 9007199254740991LL));
        ok("publish list of 1 byte", "devices.publish", with(publish, u"list"_s, b64(1)));
        ok("publish list of 64 KiB", "devices.publish",
           with(publish, u"list"_s, b64(keys::kMaxListBytes)));
        ok("publish more fields", "devices.publish", with(publish, u"extra"_s, 1));
        bad("publish no identity key", "devices.publish", without(publish, u"identity_key"_s),
            "bad_request", "identity_key");
        bad("publish identity key null", "devices.publish",
            with(publish, u"identity_key"_s, QJsonValue()), "bad_request", "identity_key");
        bad("publish identity key number", "devices.publish", with(publish, u"identity_key"_s, 32),
            "bad_request", "identity_key");
        bad("publish identity key of 31", "devices.publish",
            with(publish, u"identity_key"_s, shortKey), "bad_request", "identity_key");
        bad("publish identity key of 33", "devices.publish",
            with(publish, u"identity_key"_s, longKey), "bad_request", "identity_key");
        bad("publish identity key empty", "devices.publish",
            with(publish, u"identity_key"_s, u""_s), "bad_request", "identity_key");
        bad("publish identity key not base64", "devices.publish",
            with(publish, u"identity_key"_s, u"not base64!"_s), "bad_request", "identity_key");
        bad("publish identity key unpadded", "devices.publish",
            with(publish, u"identity_key"_s, key.chopped(1)), "bad_request", "identity_key");
        bad("publish identity key stray bits", "devices.publish",
            with(publish, u"identity_key"_s, strayBits(key)), "bad_request", "identity_key");
        bad("publish identity key with a newline", "devices.publish",
            with(publish, u"identity_key"_s, QString(key.left(20) + u"\n"_s + key.mid(20))),
            "bad_request", "identity_key");
        bad("publish identity key base64url", "devices.publish",
            with(publish, u"identity_key"_s,
                 QString::fromLatin1(QByteArray(32, char(0xff)).toBase64()).replace(u'/', u'_')),
            "bad_request", "identity_key");
        bad("publish no version", "devices.publish", without(publish, u"version"_s), "bad_request",
            "version");
        bad("publish version 0", "devices.publish", with(publish, u"version"_s, 0), "bad_request",
            "version");
        bad("publish version negative", "devices.publish", with(publish, u"version"_s, -1),
            "bad_request", "version");
        bad("publish version text", "devices.publish", with(publish, u"version"_s, u"1"_s),
            "bad_request", "version");
        bad("publish version fraction", "devices.publish", with(publish, u"version"_s, 1.5),
            "bad_request", "version");
        bad("publish version past 2^53", "devices.publish",
            with(publish, u"version"_s, 9007199254740993.0), "bad_request", "version");
        bad("publish no list", "devices.publish", without(publish, u"list"_s), "bad_request",
            "list");
        bad("publish list empty", "devices.publish", with(publish, u"list"_s, u""_s), "bad_request",
            "list");
        bad("publish list past 64 KiB", "devices.publish",
            with(publish, u"list"_s, b64(keys::kMaxListBytes + 1)), "bad_request", "list");
        bad("publish list not base64", "devices.publish", with(publish, u"list"_s, u"%%%%"_s),
            "bad_request", "list");
        bad("publish list array", "devices.publish", with(publish, u"list"_s, QJsonArray{1}),
            "bad_request", "list");
        bad("publish reset text", "devices.publish", with(publish, u"reset"_s, u"yes"_s),
            "bad_request", "reset");
        bad("publish reset number", "devices.publish", with(publish, u"reset"_s, 1), "bad_request",
            "reset");

        // device.register
        const QJsonObject registration{{u"device"_s, 7},
                                       {u"key"_s, key},
                                       {u"certificate"_s, b64(120)},
                                       {u"name"_s, u"Laptop"_s}};
        ok("register", "device.register", registration);
        ok("register device 1", "device.register", with(registration, u"device"_s, 1));
        ok("register device 2^32-1", "device.register",
           with(registration, u"device"_s, 4294967295LL));
        ok("register empty name", "device.register", with(registration, u"name"_s, u""_s));
        ok("register name of 128", "device.register",
           with(registration, u"name"_s, QString(128, u'a')));
        ok("register name of 128 bytes in 64 characters", "device.register",
           with(registration, u"name"_s, QString(64, QChar(0xe9))));
        ok("register certificate of 1 byte", "device.register",
           with(registration, u"certificate"_s, b64(1)));
        ok("register certificate of 1 KiB", "device.register",
           with(registration, u"certificate"_s, b64(keys::kMaxCertificateBytes)));
        bad("register no device", "device.register", without(registration, u"device"_s),
            "bad_request", "device");
        bad("register device 0", "device.register", with(registration, u"device"_s, 0),
            "bad_request", "device");
        bad("register device negative", "device.register", with(registration, u"device"_s, -7),
            "bad_request", "device");
        bad("register device 2^32", "device.register",
            with(registration, u"device"_s, 4294967296LL), "bad_request", "device");
        bad("register device text", "device.register", with(registration, u"device"_s, u"7"_s),
            "bad_request", "device");
        bad("register device fraction", "device.register", with(registration, u"device"_s, 7.5),
            "bad_request", "device");
        bad("register no key", "device.register", without(registration, u"key"_s), "bad_request",
            "key");
        bad("register key of 31", "device.register", with(registration, u"key"_s, shortKey),
            "bad_request", "key");
        bad("register key of 33", "device.register", with(registration, u"key"_s, longKey),
            "bad_request", "key");
        bad("register key of 64", "device.register", with(registration, u"key"_s, b64(64)),
            "bad_request", "key");
        bad("register key number", "device.register", with(registration, u"key"_s, 1),
            "bad_request", "key");
        bad("register key stray bits", "device.register",
            with(registration, u"key"_s, strayBits(key)), "bad_request", "key");
        bad("register no certificate", "device.register", without(registration, u"certificate"_s),
            "bad_request", "certificate");
        bad("register certificate empty", "device.register",
            with(registration, u"certificate"_s, u""_s), "bad_request", "certificate");
        bad("register certificate past 1 KiB", "device.register",
            with(registration, u"certificate"_s, b64(keys::kMaxCertificateBytes + 1)),
            "bad_request", "certificate");
        bad("register certificate not base64", "device.register",
            with(registration, u"certificate"_s, u"a b c d"_s), "bad_request", "certificate");
        bad("register no name", "device.register", without(registration, u"name"_s), "bad_request",
            "name");
        bad("register name of 129", "device.register",
            with(registration, u"name"_s, QString(129, u'a')), "bad_request", "name");
        bad("register name of 130 bytes in 65 characters", "device.register",
            with(registration, u"name"_s, QString(65, QChar(0xe9))), "bad_request", "name");
        bad("register name number", "device.register", with(registration, u"name"_s, 1),
            "bad_request", "name");

        // devices.get
        ok("get", "devices.get", j("{'users':[1,2,3]}"));
        ok("get nobody", "devices.get", j("{'users':[]}"));
        ok("get 256 users", "devices.get", QJsonObject{{u"users"_s, users(256)}});
        bad("get no users", "devices.get", j("{}"), "bad_request", "users");
        bad("get users null", "devices.get", j("{'users':null}"), "bad_request", "users");
        bad("get users number", "devices.get", j("{'users':1}"), "bad_request", "users");
        bad("get 257 users", "devices.get", QJsonObject{{u"users"_s, users(257)}}, "bad_request",
            "users");
        bad("get a user twice", "devices.get", j("{'users':[1,2,1]}"), "bad_request", "users");
        bad("get user 0", "devices.get", j("{'users':[0]}"), "bad_request", "users");
        bad("get user text", "devices.get", j("{'users':['1']}"), "bad_request", "users");

        // device.remove
        const QJsonObject removal{{u"device"_s, 7}, {u"list"_s, b64(64)}};
        ok("remove", "device.remove", removal);
        ok("remove device 2^32-1", "device.remove", with(removal, u"device"_s, 4294967295LL));
        ok("remove list of 64 KiB", "device.remove",
           with(removal, u"list"_s, b64(keys::kMaxListBytes)));
        bad("remove no device", "device.remove", without(removal, u"device"_s), "bad_request",
            "device");
        bad("remove device 0", "device.remove", with(removal, u"device"_s, 0), "bad_request",
            "device");
        bad("remove device 2^32", "device.remove", with(removal, u"device"_s, 4294967296LL),
            "bad_request", "device");
        bad("remove no list", "device.remove", without(removal, u"list"_s), "bad_request", "list");
        bad("remove list empty", "device.remove", with(removal, u"list"_s, u""_s), "bad_request",
            "list");
        bad("remove list past 64 KiB", "device.remove",
            with(removal, u"list"_s, b64(keys::kMaxListBytes + 1)), "bad_request", "list");
        bad("remove list stray bits", "device.remove", with(removal, u"list"_s, strayBits(b64(64))),
            "bad_request", "list");

        // prekeys.upload
        const QJsonObject upload{{u"signed_prekey"_s, signedPreKey()},
                                 {u"one_time"_s, oneTimePreKeys(2)}};
        ok("upload", "prekeys.upload", upload);
        ok("upload one-time only", "prekeys.upload", without(upload, u"signed_prekey"_s));
        ok("upload signed prekey null", "prekeys.upload",
           with(upload, u"signed_prekey"_s, QJsonValue()));
        ok("upload signed prekey only", "prekeys.upload",
           with(upload, u"one_time"_s, QJsonArray()));
        ok("upload 100 one-time", "prekeys.upload",
           with(upload, u"one_time"_s, oneTimePreKeys(UploadPreKeys::kMaxOneTime)));
        ok("upload ids 0 and 2^32-1", "prekeys.upload",
           QJsonObject{{u"signed_prekey"_s, with(signedPreKey(), u"id"_s, 0)},
                       {u"one_time"_s, QJsonArray{oneTimePreKey(4294967295LL)}}});
        bad("upload no one-time", "prekeys.upload", without(upload, u"one_time"_s), "bad_request",
            "one_time");
        bad("upload one-time object", "prekeys.upload",
            with(upload, u"one_time"_s, oneTimePreKey(1)), "bad_request", "one_time");
        bad("upload 101 one-time", "prekeys.upload",
            with(upload, u"one_time"_s, oneTimePreKeys(UploadPreKeys::kMaxOneTime + 1)),
            "too_large", "one_time");
        bad("upload one-time not objects", "prekeys.upload",
            with(upload, u"one_time"_s, QJsonArray{1, 2}), "bad_request", "one_time");
        bad("upload one-time without id", "prekeys.upload",
            with(upload, u"one_time"_s, QJsonArray{without(oneTimePreKey(1), u"id"_s)}),
            "bad_request", "one_time,id");
        bad("upload one-time id negative", "prekeys.upload",
            with(upload, u"one_time"_s, QJsonArray{oneTimePreKey(-1)}), "bad_request",
            "one_time,id");
        bad("upload one-time id 2^32", "prekeys.upload",
            with(upload, u"one_time"_s, QJsonArray{oneTimePreKey(4294967296LL)}), "bad_request",
            "one_time,id");
        bad("upload one-time key of 31", "prekeys.upload",
            with(upload, u"one_time"_s, QJsonArray{with(oneTimePreKey(1), u"key"_s, shortKey)}),
            "bad_request", "one_time,key");
        bad("upload one-time key of 33", "prekeys.upload",
            with(upload, u"one_time"_s, QJsonArray{with(oneTimePreKey(1), u"key"_s, longKey)}),
            "bad_request", "one_time,key");
        bad("upload one-time without key", "prekeys.upload",
            with(upload, u"one_time"_s, QJsonArray{without(oneTimePreKey(1), u"key"_s)}),
            "bad_request", "one_time,key");
        bad("upload signed prekey number", "prekeys.upload", with(upload, u"signed_prekey"_s, 1),
            "bad_request", "signed_prekey");
        bad("upload signed prekey array", "prekeys.upload",
            with(upload, u"signed_prekey"_s, QJsonArray{signedPreKey()}), "bad_request",
            "signed_prekey");
        bad("upload signed prekey without id", "prekeys.upload",
            with(upload, u"signed_prekey"_s, without(signedPreKey(), u"id"_s)), "bad_request",
            "signed_prekey,id");
        bad("upload signed prekey id 2^32", "prekeys.upload",
            with(upload, u"signed_prekey"_s, with(signedPreKey(), u"id"_s, 4294967296LL)),
            "bad_request", "signed_prekey,id");
        bad("upload signed prekey key of 33", "prekeys.upload",
            with(upload, u"signed_prekey"_s, with(signedPreKey(), u"key"_s, longKey)),
            "bad_request", "signed_prekey,key");
        bad("upload signed prekey signature of 63", "prekeys.upload",
            with(upload, u"signed_prekey"_s, with(signedPreKey(), u"signature"_s, b64(63))),
            "bad_request", "signed_prekey,signature");
        bad("upload signed prekey signature of 65", "prekeys.upload",
            with(upload, u"signed_prekey"_s, with(signedPreKey(), u"signature"_s, b64(65))),
            "bad_request", "signed_prekey,signature");
        bad("upload signed prekey without signature", "prekeys.upload",
            with(upload, u"signed_prekey"_s, without(signedPreKey(), u"signature"_s)),
            "bad_request", "signed_prekey,signature");

        // prekeys.claim
        ok("claim", "prekeys.claim",
           j("{'devices':[{'user':1,'device':7},{'user':2,'device':7}]}"));
        ok("claim nothing", "prekeys.claim", j("{'devices':[]}"));
        ok("claim 256", "prekeys.claim", QJsonObject{{u"devices"_s, deviceAddresses(256)}});
        ok("claim device 2^32-1", "prekeys.claim",
           j("{'devices':[{'user':1,'device':4294967295}]}"));
        bad("claim no devices", "prekeys.claim", j("{}"), "bad_request", "devices");
        bad("claim devices object", "prekeys.claim", j("{'devices':{'user':1,'device':7}}"),
            "bad_request", "devices");
        bad("claim 257", "prekeys.claim", QJsonObject{{u"devices"_s, deviceAddresses(257)}},
            "bad_request", "devices");
        bad("claim a device twice", "prekeys.claim",
            j("{'devices':[{'user':1,'device':7},{'user':1,'device':7}]}"), "bad_request",
            "devices");
        bad("claim not objects", "prekeys.claim", j("{'devices':[7]}"), "bad_request", "devices");
        bad("claim without user", "prekeys.claim", j("{'devices':[{'device':7}]}"), "bad_request",
            "devices,user");
        bad("claim user 0", "prekeys.claim", j("{'devices':[{'user':0,'device':7}]}"),
            "bad_request", "devices,user");
        bad("claim without device", "prekeys.claim", j("{'devices':[{'user':1}]}"), "bad_request",
            "devices,device");
        bad("claim device 0", "prekeys.claim", j("{'devices':[{'user':1,'device':0}]}"),
            "bad_request", "devices,device");
        bad("claim device 2^32", "prekeys.claim", j("{'devices':[{'user':1,'device':4294967296}]}"),
            "bad_request", "devices,device");

        // prekeys.count: no fields, takes anything
        ok("count", "prekeys.count", QJsonObject());
        ok("count with more", "prekeys.count", j("{'extra':[1,2]}"));
    }

    void requests()
    {
        QFETCH(QString, type);
        QFETCH(QJsonObject, fields);
        QFETCH(QString, code);
        QFETCH(QString, names);
        const std::optional<Error> error = decodeAs(type, fields);
        if (code.isEmpty()) {
            QVERIFY2(!error, qPrintable(error ? error->message : QString()));
            return;
        }
        QVERIFY2(error, "decoded what it must refuse");
        QCOMPARE(errorCodeName(error->code), code);
        for (const QString &name : names.split(u','))
            QVERIFY2(error->message.contains(u"'"_s + name + u"'"_s), qPrintable(error->message));
    }

    void replies_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("fields");
        QTest::addColumn<QString>("names"); // empty: decodes; else what the error names

        const auto ok = [](const char *name, const char *type, const QJsonObject &fields) {
            QTest::newRow(name) << QString::fromLatin1(type) << fields << QString();
        };
        const auto bad
            = [](const char *name, const char *type, const QJsonObject &fields, const char *names) {
                  QTest::newRow(name)
                      << QString::fromLatin1(type) << fields << QString::fromLatin1(names);
              };

        // device
        ok("device", "device", device());
        ok("device not current, no name", "device",
           with(with(device(), u"current"_s, false), u"name"_s, u""_s));
        for (const char *field : {"user", "id", "key", "certificate", "name", "created_at",
                                  "last_seen_at", "current"}) {
            const QString key = QString::fromLatin1(field);
            QTest::addRow("device without %s", field)
                << u"device"_s << without(device(), key) << key;
        }
        bad("device user 0", "device", with(device(), u"user"_s, 0), "user");
        bad("device id 0", "device", with(device(), u"id"_s, 0), "id");
        bad("device id 2^32", "device", with(device(), u"id"_s, 4294967296LL), "id");
        bad("device key of 31", "device", with(device(), u"key"_s, b64(31)), "key");
        bad("device key of 33", "device", with(device(), u"key"_s, b64(33)), "key");
        bad("device certificate past 1 KiB", "device",
            with(device(), u"certificate"_s, b64(keys::kMaxCertificateBytes + 1)), "certificate");
        bad("device name of 129", "device", with(device(), u"name"_s, QString(129, u'a')), "name");
        bad("device created text", "device", with(device(), u"created_at"_s, u"now"_s),
            "created_at");
        bad("device current text", "device", with(device(), u"current"_s, u"yes"_s), "current");

        // user devices
        ok("user devices", "user devices", userDevices());
        ok("user devices none registered", "user devices",
           with(userDevices(), u"devices"_s, QJsonArray()));
        for (const char *field : {"user", "identity_key", "list", "version", "devices"}) {
            const QString key = QString::fromLatin1(field);
            QTest::addRow("user devices without %s", field)
                << u"user devices"_s << without(userDevices(), key) << key;
        }
        bad("user devices identity key of 33", "user devices",
            with(userDevices(), u"identity_key"_s, b64(33)), "identity_key");
        bad("user devices identity key unpadded", "user devices",
            with(userDevices(), u"identity_key"_s, b64(32).chopped(1)), "identity_key");
        bad("user devices list empty", "user devices", with(userDevices(), u"list"_s, u""_s),
            "list");
        bad("user devices list past 64 KiB", "user devices",
            with(userDevices(), u"list"_s, b64(keys::kMaxListBytes + 1)), "list");
        bad("user devices version 0", "user devices", with(userDevices(), u"version"_s, 0),
            "version");
        bad("user devices devices object", "user devices",
            with(userDevices(), u"devices"_s, device()), "devices");
        bad("user devices device bad", "user devices",
            with(userDevices(), u"devices"_s, QJsonArray{with(device(), u"key"_s, b64(31))}),
            "devices");

        // prekey bundle
        ok("bundle", "prekey bundle", bundle());
        ok("bundle without one-time", "prekey bundle", without(bundle(), u"one_time"_s));
        ok("bundle one-time null", "prekey bundle", with(bundle(), u"one_time"_s, QJsonValue()));
        for (const char *field : {"user", "device", "key", "certificate", "signed_prekey"}) {
            const QString key = QString::fromLatin1(field);
            QTest::addRow("bundle without %s", field)
                << u"prekey bundle"_s << without(bundle(), key) << key;
        }
        bad("bundle device 0", "prekey bundle", with(bundle(), u"device"_s, 0), "device");
        bad("bundle device 2^32", "prekey bundle", with(bundle(), u"device"_s, 4294967296LL),
            "device");
        bad("bundle key of 31", "prekey bundle", with(bundle(), u"key"_s, b64(31)), "key");
        bad("bundle signed prekey number", "prekey bundle", with(bundle(), u"signed_prekey"_s, 1),
            "signed_prekey");
        bad("bundle signature of 63", "prekey bundle",
            with(bundle(), u"signed_prekey"_s, with(signedPreKey(), u"signature"_s, b64(63))),
            "signature");
        bad("bundle signed key stray bits", "prekey bundle",
            with(bundle(), u"signed_prekey"_s, with(signedPreKey(), u"key"_s, strayBits(b64(32)))),
            "key");
        bad("bundle one-time key of 33", "prekey bundle",
            with(bundle(), u"one_time"_s, with(oneTimePreKey(1), u"key"_s, b64(33))), "one_time");
        bad("bundle one-time id 2^32", "prekey bundle",
            with(bundle(), u"one_time"_s, oneTimePreKey(4294967296LL)), "one_time");
        bad("bundle one-time array", "prekey bundle",
            with(bundle(), u"one_time"_s, QJsonArray{oneTimePreKey(1)}), "one_time");

        // results
        ok("published", "devices.publish result", j("{'version':4}"));
        bad("published version 0", "devices.publish result", j("{'version':0}"), "version");
        bad("published without version", "devices.publish result", j("{}"), "version");
        ok("registered", "device.register result", QJsonObject{{u"device"_s, device()}});
        bad("registered without device", "device.register result", j("{}"), "device");
        bad("registered device bad", "device.register result",
            QJsonObject{{u"device"_s, without(device(), u"certificate"_s)}}, "certificate");
        ok("directory", "devices.get result", QJsonObject{{u"users"_s, QJsonArray{userDevices()}}});
        ok("directory empty", "devices.get result", j("{'users':[]}"));
        bad("directory without users", "devices.get result", j("{}"), "users");
        bad("directory users not objects", "devices.get result", j("{'users':[1]}"), "users");
        bad("directory entry bad", "devices.get result",
            QJsonObject{{u"users"_s, QJsonArray{with(userDevices(), u"version"_s, u"3"_s)}}},
            "version");
        ok("stored", "prekeys.upload result", j("{'count':100}"));
        ok("stored none", "prekeys.upload result", j("{'count':0}"));
        bad("stored negative", "prekeys.upload result", j("{'count':-1}"), "count");
        bad("stored without count", "prekeys.upload result", j("{}"), "count");
        ok("claimed", "prekeys.claim result",
           QJsonObject{{u"bundles"_s, QJsonArray{bundle(), without(bundle(), u"one_time"_s)}}});
        ok("claimed none", "prekeys.claim result", j("{'bundles':[]}"));
        bad("claimed without bundles", "prekeys.claim result", j("{}"), "bundles");
        bad("claimed bundle bad", "prekeys.claim result",
            QJsonObject{{u"bundles"_s, QJsonArray{without(bundle(), u"key"_s)}}}, "bundles");
        ok("count", "prekeys.count result",
           j("{'count':37,'signed_prekey':4294967295,'signed_prekey_at':1795000000000}"));
        ok("count without a signed prekey", "prekeys.count result", j("{'count':0}"));
        bad("count without count", "prekeys.count result", j("{'signed_prekey':1}"), "count");
        bad("count signed prekey 2^32", "prekeys.count result",
            j("{'count':1,'signed_prekey':4294967296}"), "signed_prekey");
        bad("count signed prekey text", "prekeys.count result",
            j("{'count':1,'signed_prekey':'1'}"), "signed_prekey");
        bad("count signed prekey at text", "prekeys.count result",
            j("{'count':1,'signed_prekey':1,'signed_prekey_at':'now'}"), "signed_prekey_at");

        // events
        ok("devices", "devices", j("{'user':2,'version':5,'identity_changed':false}"));
        ok("devices, identity changed", "devices",
           j("{'user':2,'version':1,'identity_changed':true}"));
        bad("devices without user", "devices", j("{'version':5,'identity_changed':false}"), "user");
        bad("devices user 0", "devices", j("{'user':0,'version':5,'identity_changed':false}"),
            "user");
        bad("devices without version", "devices", j("{'user':2,'identity_changed':false}"),
            "version");
        bad("devices version 0", "devices", j("{'user':2,'version':0,'identity_changed':false}"),
            "version");
        bad("devices without identity changed", "devices", j("{'user':2,'version':5}"),
            "identity_changed");
        bad("devices identity changed text", "devices",
            j("{'user':2,'version':5,'identity_changed':'no'}"), "identity_changed");
        ok("prekeys.low", "prekeys.low", j("{'count':19}"));
        ok("prekeys.low none left", "prekeys.low", j("{'count':0}"));
        bad("prekeys.low without count", "prekeys.low", j("{}"), "count");
        bad("prekeys.low count negative", "prekeys.low", j("{'count':-1}"), "count");
        bad("prekeys.low count fraction", "prekeys.low", j("{'count':1.5}"), "count");

        // hello's e2e
        for (const char *mode : {"required", "optional", "off"}) {
            QTest::addRow("hello e2e %s", mode)
                << u"hello result"_s
                << QJsonObject{{u"version"_s, 1}, {u"e2e"_s, QString::fromLatin1(mode)}}
                << QString();
        }
        ok("hello without e2e", "hello result", j("{'version':1}"));
        ok("hello e2e null", "hello result", j("{'version':1,'e2e':null}"));
        bad("hello e2e unknown", "hello result", j("{'version':1,'e2e':'on'}"), "e2e");
        bad("hello e2e empty", "hello result", j("{'version':1,'e2e':''}"), "e2e");
        bad("hello e2e in upper case", "hello result", j("{'version':1,'e2e':'OFF'}"), "e2e");
        bad("hello e2e boolean", "hello result", j("{'version':1,'e2e':true}"), "e2e");
    }

    void replies()
    {
        QFETCH(QString, type);
        QFETCH(QJsonObject, fields);
        QFETCH(QString, names);
        const std::optional<Error> error = decodeAs(type, fields);
        if (names.isEmpty()) {
            QVERIFY2(!error, qPrintable(error ? error->message : QString()));
            return;
        }
        QVERIFY2(error, "decoded what it must refuse");
        QCOMPARE(error->code, ErrorCode::BadRequest);
        QVERIFY2(error->message.contains(u"'"_s + names + u"'"_s), qPrintable(error->message));
    }

    void errorsSayWhatTheFieldMustBe()
    {
        QCOMPARE(RegisterDevice::decode(
                     with(j("{'device':7,'certificate':'AA==','name':''}"), u"key"_s, b64(31)))
                     .error()
                     .message,
                 u"field 'key' must be base64 of 32 bytes"_s);
        QCOMPARE(RegisterDevice::decode(
                     with(j("{'device':7,'certificate':'','name':''}"), u"key"_s, b64(32)))
                     .error()
                     .message,
                 u"field 'certificate' must be base64 of 1 to 1024 bytes"_s);
        QCOMPARE(RegisterDevice::decode(j("{'device':0}")).error().message,
                 u"field 'device' must be an integer from 1 to 4294967295"_s);
        QCOMPARE(RemoveDevice::decode(j("{'device':7}")).error().message,
                 u"field 'list' is required"_s);
        QCOMPARE(
            UploadPreKeys::decode(
                QJsonObject{{u"one_time"_s, QJsonArray{with(oneTimePreKey(1), u"key"_s, b64(33))}}})
                .error()
                .message,
            u"in 'one_time': field 'key' must be base64 of 32 bytes"_s);
        const auto tooMany = UploadPreKeys::decode(
            QJsonObject{{u"one_time"_s, oneTimePreKeys(UploadPreKeys::kMaxOneTime + 1)}});
        QCOMPARE(tooMany.error().code, ErrorCode::TooLarge);
        QCOMPARE(tooMany.error().message, u"field 'one_time' holds at most 100 prekeys"_s);
        QCOMPARE(ClaimPreKeys::decode(j("{'devices':[{'user':1,'device':0}]}")).error().message,
                 u"in 'devices': field 'device' must be an integer from 1 to 4294967295"_s);
        QCOMPARE(Welcome::decode(j("{'version':1,'e2e':'on'}")).error().message,
                 u"field 'e2e' must be \"required\", \"optional\" or \"off\""_s);
    }

    void fieldsAreCheckedInOrder()
    {
        // The first bad field is the one named, in the order the spec lists them.
        QVERIFY(PublishDevices::decode(j("{'identity_key':1,'version':0,'list':2,'reset':3}"))
                    .error()
                    .message.contains(u"'identity_key'"_s));
        QVERIFY(PublishDevices::decode(
                    with(j("{'version':0,'list':2,'reset':3}"), u"identity_key"_s, b64(32)))
                    .error()
                    .message.contains(u"'version'"_s));
        QVERIFY(RegisterDevice::decode(j("{'device':0,'key':1,'certificate':2,'name':3}"))
                    .error()
                    .message.contains(u"'device'"_s));
        QVERIFY(RegisterDevice::decode(j("{'device':1,'key':1,'certificate':2,'name':3}"))
                    .error()
                    .message.contains(u"'key'"_s));
        QVERIFY(UploadPreKeys::decode(j("{'signed_prekey':1,'one_time':2}"))
                    .error()
                    .message.contains(u"'signed_prekey'"_s));
    }

    void decodedValues()
    {
        // Bytes, not base64, and ids as the u32s they are.
        const QJsonObject registration{{u"device"_s, 4294967295LL},
                                       {u"key"_s, b64(32)},
                                       {u"certificate"_s, b64(120, 5)},
                                       {u"name"_s, u"Téléphone"_s}};
        const auto registered = RegisterDevice::decode(registration);
        QVERIFY(registered);
        QCOMPARE(registered->device, quint32(0xffffffffu));
        QCOMPARE(registered->key, bytes(32));
        QCOMPARE(registered->certificate, bytes(120, 5));
        QCOMPARE(registered->name, u"Téléphone"_s);

        const auto published = PublishDevices::decode(
            QJsonObject{{u"identity_key"_s, b64(32, 9)}, {u"version"_s, 3}, {u"list"_s, b64(80)}});
        QVERIFY(published);
        QCOMPARE(published->identityKey, bytes(32, 9));
        QCOMPARE(published->version, 3);
        QCOMPARE(published->list, bytes(80));
        QVERIFY(!published->reset);

        const auto upload = UploadPreKeys::decode(QJsonObject{{u"one_time"_s, oneTimePreKeys(3)}});
        QVERIFY(upload);
        QCOMPARE(upload->signedPreKey, std::nullopt);
        QCOMPARE(upload->oneTime.size(), 3);
        QCOMPARE(upload->oneTime.at(2).id, 2u);
        QCOMPARE(upload->oneTime.at(2).key, bytes(32, 2));

        const auto claim
            = ClaimPreKeys::decode(j("{'devices':[{'user':1,'device':7},{'user':2,'device':7}]}"));
        QVERIFY(claim);
        QCOMPARE(claim->devices, (QList<DeviceAddress>{{1, 7}, {2, 7}}));

        const auto count = PreKeyCount::decode(j("{'count':3}"));
        QVERIFY(count);
        QCOMPARE(count->signedPreKey, std::nullopt);
        QCOMPARE(count->signedPreKeyAt, std::nullopt);
        const auto fresh = PreKeyBundleInfo::decode(without(bundle(), u"one_time"_s));
        QVERIFY(fresh);
        QCOMPARE(fresh->oneTime, std::nullopt);
        QCOMPARE(fresh->device, quint32(0xffffffffu));
        QCOMPARE(fresh->signedPreKey.signature, bytes(64, 3));

        QCOMPARE(Welcome::decode(j("{'version':1}"))->e2e, std::nullopt);
        QCOMPARE(Welcome::decode(j("{'version':1,'e2e':'optional'}"))->e2e,
                 std::optional<QString>(u"optional"_s));
    }

    void encodingNamesWhatTheSpecNames()
    {
        // What the app sends: the wire's names, bytes in padded base64, what is unset unsent.
        const QByteArray key = bytes(32);
        const QString key64 = b64(32);
        QCOMPARE((PublishDevices{key, 2, QByteArray("\x01\x02\x03"), false}.encode()),
                 with(j("{'version':2,'list':'AQID','reset':false}"), u"identity_key"_s, key64));
        QCOMPARE((RegisterDevice{7, key, QByteArray("\xff\xfe"), u"Laptop"_s}.encode()),
                 with(j("{'device':7,'certificate':'//4=','name':'Laptop'}"), u"key"_s, key64));
        QCOMPARE((RegisterDevice{0xffffffffu, key, bytes(2), {}}.encode().value(u"device"_s)),
                 QJsonValue(4294967295LL));
        QCOMPARE((GetDevices{{3, 1}}.encode()), j("{'users':[3,1]}"));
        QCOMPARE((RemoveDevice{7, QByteArray("\x00", 1)}.encode()),
                 j("{'device':7,'list':'AA=='}"));
        QCOMPARE(UploadPreKeys{}.encode(), j("{'one_time':[]}"));
        const UploadPreKeys upload{SignedPreKeyInfo{1, key, bytes(64)},
                                   {OneTimePreKeyInfo{0, key}}};
        QCOMPARE(upload.encode(),
                 (QJsonObject{
                     {u"signed_prekey"_s,
                      QJsonObject{{u"id"_s, 1}, {u"key"_s, key64}, {u"signature"_s, b64(64)}}},
                     {u"one_time"_s, QJsonArray{QJsonObject{{u"id"_s, 0}, {u"key"_s, key64}}}}}));
        QCOMPARE((ClaimPreKeys{{{1, 7}}}.encode()), j("{'devices':[{'user':1,'device':7}]}"));
        QCOMPARE(CountPreKeys{}.encode(), QJsonObject());

        QCOMPARE((PreKeyCount{5, std::nullopt, std::nullopt}.encode()), j("{'count':5}"));
        QCOMPARE((PreKeyCount{5, 2u, 9}.encode()),
                 j("{'count':5,'signed_prekey':2,'signed_prekey_at':9}"));
        PreKeyBundleInfo fresh = PreKeyBundleInfo::decode(bundle()).value();
        QCOMPARE(fresh.encode(), bundle());
        fresh.oneTime.reset();
        QVERIFY(!fresh.encode().contains(u"one_time"_s));
        QCOMPARE(DeviceInfo::decode(device())->encode(), device());
        QCOMPARE(UserDevices::decode(userDevices())->encode(), userDevices());

        Welcome welcome;
        welcome.version = 1;
        QVERIFY(!welcome.encode().contains(u"e2e"_s));
        welcome.e2e = u"required"_s;
        QCOMPARE(welcome.encode().value(u"e2e"_s).toString(), u"required"_s);
    }

    void eventFramesNameTheirType()
    {
        const QJsonObject devices = eventFrame(DevicesEvent{2, 5, true});
        QCOMPARE(devices, j("{'type':'devices','user':2,'version':5,'identity_changed':true}"));
        QCOMPARE(DevicesEvent::decode(devices).value(), (DevicesEvent{2, 5, true}));
        const QJsonObject low = eventFrame(PreKeysLowEvent{19});
        QCOMPARE(low, j("{'type':'prekeys.low','count':19}"));
        QCOMPARE(PreKeysLowEvent::decode(low).value(), PreKeysLowEvent{19});
    }

    void theE2eLibrarysEncodingsFit()
    {
        // The sizes are the e2e library's, and what it encodes fits the bounds: a
        // certificate, and a signed list of as many devices as a list may hold.
        QCOMPARE(keys::kPublicKeyBytes, e2e::kPublicKeyBytes);
        QCOMPARE(keys::kSignatureBytes, e2e::kSignatureBytes);
        QCOMPARE(PreKeysLowEvent::kBelow, e2e::kOneTimePreKeyRefillBelow);

        const auto identity = e2e::SigningKeyPair::fromSeed(*e2e::SecretKey::fromBytes(bytes(32)));
        const auto deviceKey
            = e2e::SigningKeyPair::fromSeed(*e2e::SecretKey::fromBytes(bytes(32, 2)));
        const QString userId = QString::number(9007199254740991LL); // the longest user id
        const auto certificate
            = e2e::DeviceCertificate::issue(identity, userId, 0xffffffffu, deviceKey.publicKey());
        QVERIFY(certificate);
        const RegisterDevice registration{0xffffffffu, deviceKey.publicKey(), certificate->encode(),
                                          u"Laptop"_s};
        const auto registered = RegisterDevice::decode(registration.encode());
        QVERIFY2(registered, qPrintable(registered ? QString() : registered.error().message));
        QCOMPARE(*registered, registration);
        QVERIFY(
            e2e::DeviceCertificate::decode(registered->certificate)->verify(identity.publicKey()));

        QList<e2e::DeviceListEntry> entries;
        for (quint32 id = 1; id <= quint32(e2e::kMaxDevicesPerUser); ++id)
            entries.append({id, deviceKey.publicKey()});
        const auto list = e2e::DeviceList::sign(identity, userId, 9007199254740991LL, entries);
        QVERIFY(list);
        const PublishDevices publish{identity.publicKey(), 9007199254740991LL, list->encode(),
                                     true};
        const auto published = PublishDevices::decode(publish.encode());
        QVERIFY2(published, qPrintable(published ? QString() : published.error().message));
        QCOMPARE(*published, publish);
        QVERIFY(e2e::DeviceList::decode(published->list)->verify(identity.publicKey()));

        const auto signedPreKey = e2e::SignedPreKey::generate(deviceKey, 0xffffffffu).publicPart();
        const UploadPreKeys upload{
            SignedPreKeyInfo{signedPreKey.id, signedPreKey.publicKey, signedPreKey.signature}, {}};
        const auto uploaded = UploadPreKeys::decode(upload.encode());
        QVERIFY(uploaded);
        const e2e::SignedPreKeyPublic received{uploaded->signedPreKey->id,
                                               uploaded->signedPreKey->key,
                                               uploaded->signedPreKey->signature};
        QVERIFY(received.verify(deviceKey.publicKey()));
    }

    void theSpecNamesExactlyTheseTypes()
    {
        QFile file(qEnvironmentVariable("TIDINGS_SOURCE_DIR") + u"/docs/protocol.md"_s);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString spec = QString::fromUtf8(file.readAll());
        // The key directory's requests are the headings from its own to the next
        // end-to-end encryption subsection (the device inbox) or section 5.
        QCOMPARE(headings(spec, u"### End-to-end encryption: the key directory"_s,
                          u"### End-to-end encryption:"_s),
                 setOf(keyDirectoryRequests()));
        QCOMPARE(keyDirectoryRequests().size(), 7);
        // Its events are section 5's.
        QVERIFY(headings(spec, u"## 5. Events"_s).contains(setOf(keyDirectoryEvents())));
        QCOMPARE(keyDirectoryEvents().size(), 2);
        // Both are in the catalog tst_protocol_spec holds against sections 4 and 5.
        QVERIFY(setOf(typedRequests()).contains(setOf(keyDirectoryRequests())));
        QVERIFY(setOf(typedEvents()).contains(setOf(keyDirectoryEvents())));
        // hello's result documents e2e.
        QVERIFY(spec.contains(u"| `e2e` | `\"required\"`, `\"optional\"` or `\"off\"` |"_s));
    }

    void typesAreTheSpecs()
    {
        QCOMPARE(QLatin1StringView(PublishDevices::kType), "devices.publish"_L1);
        QCOMPARE(QLatin1StringView(RegisterDevice::kType), "device.register"_L1);
        QCOMPARE(QLatin1StringView(GetDevices::kType), "devices.get"_L1);
        QCOMPARE(QLatin1StringView(RemoveDevice::kType), "device.remove"_L1);
        QCOMPARE(QLatin1StringView(UploadPreKeys::kType), "prekeys.upload"_L1);
        QCOMPARE(QLatin1StringView(ClaimPreKeys::kType), "prekeys.claim"_L1);
        QCOMPARE(QLatin1StringView(CountPreKeys::kType), "prekeys.count"_L1);
        QCOMPARE(QLatin1StringView(DevicesEvent::kType), "devices"_L1);
        QCOMPARE(QLatin1StringView(PreKeysLowEvent::kType), "prekeys.low"_L1);
        QCOMPARE(RegisterDevice::kMaxNameBytes, 128);
        QCOMPARE(GetDevices::kMaxUsers, 256);
        QCOMPARE(ClaimPreKeys::kMaxDevices, 256);
        QCOMPARE(UploadPreKeys::kMaxOneTime, 100);
    }
};

QTEST_GUILESS_MAIN(TestProtocolKeyDirectory)
#include "tst_protocol_key_directory.moc"
