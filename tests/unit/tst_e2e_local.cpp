// End-to-end encryption in the app's local store with no relay (docs/encryption.md, sections
// 4–6): each device is its own LocalStore on a real SQLite file, and the test carries the
// relay's part by hand. It publishes what setUp() returns, hands out prekey bundles, turns
// what seal() puts in the outbox into inbox messages and log entries, and feeds those to the
// other devices through receive() and applyEvent(). So the order things arrive in, and what
// a dishonest relay changes on the way, are the test's to choose.
#include "core/e2e_queries.h"
#include "core/local_queries.h"
#include "core/local_store.h"
#include "e2e/device_keys.h"
#include "e2e/key_pairs.h"
#include "e2e/prekeys.h"
#include "e2e/sender_keys.h"
#include "e2e/store_crypto.h"
#include "protocol/messages/device_inbox.h"
#include "protocol/messages/events.h"
#include "protocol/messages/key_directory_replies.h"
#include "protocol/messages/message_requests.h"
#include "protocol/messages/replies.h"
#include "support/await.h"

#include <QJsonDocument>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>
#include <QUuid>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

namespace proto = protocol::messages;
namespace sealing = app::local::e2e;
namespace crypto = tidings::e2e;

constexpr qint64 kAlice = 1;
constexpr qint64 kBob = 2;
constexpr qint64 kCarol = 3;
constexpr qint64 kDave = 4;
constexpr qint64 kDirect = 10;
constexpr qint64 kGroup = 20;

template<typename T> QString failure(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().message;
}

/// Fails the running test with the error's message when `result` is an error.
#define VERIFY_OK(result) QVERIFY2((result).ok(), qPrintable(failure(result)))

QString newKey()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

/// One device: its own local store, and what the relay keeps of it (the keys it published,
/// the one-time prekeys nobody claimed yet, the last seq of its inbox).
struct Device
{
    qint64 user = 0;
    std::unique_ptr<LocalStore> store;
    sealing::Setup setup;
    proto::SignedPreKeyInfo signedPreKey;
    QList<proto::OneTimePreKeyInfo> oneTimeOnRelay;
    qint64 inboxSeq = 0;

    quint32 id() const { return setup.registration.device; }

    template<typename T> Result<T> write(std::function<Result<T>(QSqlDatabase &)> job)
    {
        return await(store->write<T>(std::move(job)));
    }
    template<typename T> Result<T> read(std::function<Result<T>(QSqlDatabase &)> job)
    {
        return await(store->read<T>(std::move(job)));
    }

    /// What devices.get answers for this device's user.
    proto::UserDevices published() const
    {
        proto::DeviceInfo device;
        device.user = user;
        device.id = id();
        device.key = setup.registration.key;
        device.certificate = setup.registration.certificate;
        device.name = setup.registration.name;
        return {user, setup.identityKey, setup.list, setup.listVersion, {device}};
    }

    /// What prekeys.claim answers for this device: each one-time prekey goes to one claim.
    proto::PreKeyBundleInfo claim()
    {
        proto::PreKeyBundleInfo bundle;
        bundle.user = user;
        bundle.device = id();
        bundle.key = setup.registration.key;
        bundle.certificate = setup.registration.certificate;
        bundle.signedPreKey = signedPreKey;
        if (!oneTimeOnRelay.isEmpty())
            bundle.oneTime = oneTimeOnRelay.takeFirst();
        return bundle;
    }
};

/// An inbox message as one recipient device gets it.
struct Delivery
{
    qint64 user = 0;
    quint32 device = 0;
    proto::InboxMessage message;
};

/// What the relay made of one sealed outbox item.
struct Sent
{
    QJsonObject request; ///< the sealed request, as the relay got it
    QList<Delivery> inbox; ///< the inbox.send queued before it (a chain's distribution), if any
    proto::LogEntry entry; ///< the entry the relay appended for it
};

std::optional<proto::InboxMessage> inboxFor(const Sent &sent, const Device &device)
{
    for (const Delivery &delivery : sent.inbox) {
        if (delivery.user == device.user && delivery.device == device.id())
            return delivery.message;
    }
    return std::nullopt;
}

QList<quint32> recipientsOf(const Sent &sent)
{
    QList<quint32> devices;
    for (const Delivery &delivery : sent.inbox)
        devices.append(delivery.device);
    return devices;
}

QByteArray ciphertextOf(const proto::LogEntry &entry)
{
    return QByteArray::fromBase64(entry.body.value(u"ciphertext").toString().toLatin1());
}

proto::LogEntry withCiphertext(proto::LogEntry entry, const QByteArray &ciphertext)
{
    entry.body.insert(u"ciphertext"_s, QString::fromLatin1(ciphertext.toBase64()));
    return entry;
}

quint32 chainIdOf(const proto::LogEntry &entry)
{
    const auto header = crypto::SenderKeyMessageHeader::decode(ciphertextOf(entry));
    return header ? header->chainId : 0;
}

QString textOf(const local::Message &message)
{
    return message.body.value(u"text").toString();
}

/// The message's end-to-end state as its body says: "true", "waiting" or "failed".
QString stateOf(const local::Message &message)
{
    const QJsonValue e2e = message.body.value(u"e2e");
    return e2e.isBool() ? (e2e.toBool() ? u"true"_s : u"false"_s) : e2e.toString();
}

/// One device of user `user` under `identity`, as devices.get lists it.
Result<proto::DeviceInfo> deviceUnder(const crypto::SigningKeyPair &identity, qint64 user,
                                      quint32 id)
{
    auto keys = crypto::DeviceKeys::create(identity, QString::number(user), id,
                                           crypto::SigningKeyPair::generate());
    if (!keys)
        return keys.error();
    proto::DeviceInfo device;
    device.user = user;
    device.id = id;
    device.key = keys->keyPair.publicKey();
    device.certificate = keys->certificate.encode();
    return device;
}

/// `user`'s devices as devices.get answers them: identity key `identityKey` and a list of
/// `devices` at `version` signed by `signer` (the identity itself, unless forged).
Result<proto::UserDevices> devicesSignedBy(const crypto::SigningKeyPair &signer,
                                           const QByteArray &identityKey, qint64 user,
                                           quint64 version, const QList<proto::DeviceInfo> &devices)
{
    QList<crypto::DeviceListEntry> entries;
    for (const proto::DeviceInfo &device : devices)
        entries.append({device.id, device.key});
    auto list = crypto::DeviceList::sign(signer, QString::number(user), version, entries);
    if (!list)
        return list.error();
    return proto::UserDevices{user, identityKey, list->encode(), qint64(version), devices};
}

QList<proto::DeviceAddress> addresses(qint64 user, const QList<proto::DeviceInfo> &devices)
{
    QList<proto::DeviceAddress> list;
    for (const proto::DeviceInfo &device : devices)
        list.append({user, device.id});
    return list;
}

QList<proto::DeviceAddress> sorted(QList<proto::DeviceAddress> list)
{
    std::sort(list.begin(), list.end(), [](const auto &a, const auto &b) {
        return std::pair(a.user, a.device) < std::pair(b.user, b.device);
    });
    return list;
}

} // namespace

class TestE2eLocal : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_directory;
    std::vector<std::unique_ptr<Device>> m_devices;
    /// Each new device's store key (none: its values are kept unsealed).
    std::map<qint64, tidings::e2e::StoreKey> m_storeKeys;
    /// The relay's log: each conversation's last seq.
    QHash<qint64, qint64> m_lastSeq;

    Device &deviceOf(qint64 user)
    {
        for (const auto &device : m_devices) {
            if (device->user == user)
                return *device;
        }
        qFatal("no device for user %lld", static_cast<long long>(user));
    }
    Device *deviceAt(qint64 user, quint32 id)
    {
        for (const auto &device : m_devices) {
            if (device->user == user && device->id() == id)
                return device.get();
        }
        return nullptr;
    }

    /// A device for each of `users`, each set up as at its user's first sign-in (the relay
    /// holds nothing for them yet).
    Result<void> startDevices(const QList<qint64> &users)
    {
        for (const qint64 user : users) {
            auto device = std::make_unique<Device>();
            device->user = user;
            device->store
                = std::make_unique<LocalStore>(m_directory->filePath(u"%1/tidings.db"_s.arg(user)));
            if (const auto key = m_storeKeys.find(user); key != m_storeKeys.end())
                device->store->setStoreKey(key->second);
            auto opened = await(device->store->open());
            if (!opened)
                return opened.error();
            auto setup = device->write<sealing::Setup>([user](QSqlDatabase &db) {
                return sealing::setUp(db, user, std::nullopt, u"device of %1"_s.arg(user));
            });
            if (!setup)
                return setup.error();
            if (!setup->newIdentity || !setup->prekeys || !setup->prekeys->signedPreKey)
                return Error{ErrorCode::Internal, u"a first setUp() made no identity or prekeys"_s};
            device->setup = *setup;
            device->signedPreKey = *setup->prekeys->signedPreKey;
            device->oneTimeOnRelay = setup->prekeys->oneTime;
            m_devices.push_back(std::move(device));
        }
        return {};
    }

    /// Every device looks every user up (devices.get) and stores what it got.
    Result<void> introduceAll()
    {
        QList<proto::UserDevices> directory;
        for (const auto &device : m_devices)
            directory.append(device->published());
        for (const auto &device : m_devices) {
            const qint64 me = device->user;
            auto stored = device->write<QList<qint64>>([me, directory](QSqlDatabase &db) {
                return sealing::storeDevices(db, me, directory);
            });
            if (!stored)
                return stored.error();
        }
        return {};
    }

    /// Conversation `id` with `members`, as the relay lists it to `viewer`.
    Result<void> storeConversation(Device &viewer, qint64 id, const QString &kind,
                                   const QList<qint64> &members)
    {
        proto::ConversationInfo info;
        info.id = id;
        info.kind = kind;
        info.title = kind == u"group" ? u"Plans"_s : QString();
        info.lastSeq = m_lastSeq.value(id);
        info.memberCount = int(members.size());
        info.me.user = viewer.user;
        info.me.role = u"member"_s;
        QList<proto::Member> list;
        for (const qint64 user : members) {
            proto::Member member;
            member.user = user;
            member.role = u"member"_s;
            list.append(member);
        }
        info.members = list;
        auto stored = viewer.write<bool>([info](QSqlDatabase &db) -> Result<bool> {
            if (auto done = local::storeConversation(db, info); !done)
                return done.error();
            return true;
        });
        if (!stored)
            return stored.error();
        return {};
    }
    Result<void> storeConversationForAll(qint64 id, const QString &kind,
                                         const QList<qint64> &members)
    {
        for (const qint64 user : members) {
            if (auto stored = storeConversation(deviceOf(user), id, kind, members); !stored)
                return stored;
        }
        return {};
    }

    /// The entry the relay appends for a sealed request of `from`'s.
    Result<proto::LogEntry> relayEntry(const Device &from, const local::OutboxItem &item)
    {
        proto::LogEntry entry;
        entry.conversation = item.conversationId;
        entry.sender = from.user;
        QJsonObject body{{u"device"_s, qint64(from.id())}};
        QByteArray ciphertext;
        if (item.type == QLatin1StringView(proto::SendMessage::kType)) {
            auto request = proto::SendMessage::decode(item.payload);
            if (!request)
                return request.error();
            entry.kind = u"encrypted"_s;
            entry.clientId = request->clientId;
            ciphertext = request->ciphertext;
        } else if (item.type == QLatin1StringView(proto::EditMessage::kType)) {
            auto request = proto::EditMessage::decode(item.payload);
            if (!request)
                return request.error();
            entry.kind = u"encrypted_edit"_s;
            entry.clientId = request->clientId;
            entry.targetSeq = request->seq;
            ciphertext = request->ciphertext;
        } else if (item.type == QLatin1StringView(proto::ReactToMessage::kType)) {
            auto request = proto::ReactToMessage::decode(item.payload);
            if (!request)
                return request.error();
            entry.kind = u"encrypted_reaction"_s;
            entry.clientId = request->clientId;
            entry.targetSeq = request->seq;
            body.insert(u"tag"_s, request->tag);
            body.insert(u"on"_s, request->on);
            ciphertext = request->ciphertext;
        } else {
            return Error{ErrorCode::BadRequest, u"the relay takes no sealed "_s + item.type};
        }
        if (ciphertext.isEmpty())
            return Error{ErrorCode::EncryptionRequired, u"a sealed request without ciphertext"_s};
        body.insert(u"ciphertext"_s, QString::fromLatin1(ciphertext.toBase64()));
        entry.body = body;
        entry.seq = ++m_lastSeq[entry.conversation];
        entry.time = 1000 + entry.seq;
        return entry;
    }

    /// Seals outbox item `key` of `from`'s as the engine would (prekey bundles for the
    /// devices it claims), then sends the outbox: the relay stores each inbox.send for its
    /// recipients and appends the sealed request to the log; `from` hears back (outboxDone).
    Result<Sent> sealAndSend(Device &from, const QString &key)
    {
        const qint64 me = from.user;
        auto needs = from.read<sealing::SealNeeds>(
            [key, me](QSqlDatabase &db) { return sealing::sealNeeds(db, key, me); });
        if (!needs)
            return needs.error();
        if (!needs->lookUp.isEmpty())
            return Error{ErrorCode::Internal, u"sealing asks for devices the test gave"_s};
        if (!needs->changed.isEmpty())
            return Error{ErrorCode::Forbidden, u"a member's identity changed"_s};
        QList<proto::PreKeyBundleInfo> bundles;
        for (const proto::DeviceAddress &address : std::as_const(needs->claim)) {
            if (Device *peer = deviceAt(address.user, address.device))
                bundles.append(peer->claim());
        }
        auto sealed = from.write<bool>(
            [key, me, bundles](QSqlDatabase &db) { return sealing::seal(db, key, me, bundles); });
        if (!sealed)
            return sealed.error();
        if (!*sealed)
            return Error{ErrorCode::Internal, u"seal() found nothing to seal"_s};

        auto pending = from.read<QList<local::OutboxItem>>(
            [](QSqlDatabase &db) { return local::pendingOutbox(db, 100); });
        if (!pending)
            return pending.error();
        Sent sent;
        QString inboxKey;
        std::optional<local::OutboxItem> request;
        for (const local::OutboxItem &item : std::as_const(*pending)) {
            if (item.key == key) {
                request = item;
                continue;
            }
            if (item.type != QLatin1StringView(proto::SendToInbox::kType))
                return Error{ErrorCode::Internal, u"an unexpected outbox item: "_s + item.type};
            auto inbox = proto::SendToInbox::decode(item.payload);
            if (!inbox)
                return inbox.error();
            for (const proto::InboxRecipient &recipient : std::as_const(inbox->messages)) {
                Device *to = deviceAt(recipient.user, recipient.device);
                if (!to)
                    return Error{ErrorCode::NotFound, u"an inbox.send to an unknown device"_s};
                sent.inbox.append({recipient.user, recipient.device,
                                   proto::InboxMessage{++to->inboxSeq, from.user, from.id(),
                                                       recipient.body, 2000}});
            }
            inboxKey = item.key;
            auto done = from.write<local::Applied>([item, me](QSqlDatabase &db) {
                return local::outboxDone(db, item.key, item.payload, std::nullopt, me);
            });
            if (!done)
                return done.error();
        }
        if (!request)
            return Error{ErrorCode::NotFound, u"the sealed item is not in the outbox"_s};
        if (request->seal != 2)
            return Error{ErrorCode::Internal, u"the item is not marked sealed"_s};
        // What needs the distribution goes after it.
        if (!inboxKey.isEmpty() && request->afterKey != inboxKey)
            return Error{ErrorCode::Internal, u"the sealed item is not sent after its key"_s};
        auto entry = relayEntry(from, *request);
        if (!entry)
            return entry.error();
        sent.request = request->payload;
        sent.entry = *entry;
        auto done
            = from.write<local::Applied>([item = *request, event = *entry, me](QSqlDatabase &db) {
                  return local::outboxDone(db, item.key, item.payload, event, me);
              });
        if (!done)
            return done.error();
        auto left = from.read<QList<local::OutboxItem>>(
            [](QSqlDatabase &db) { return local::pendingOutbox(db, 100); });
        if (!left)
            return left.error();
        if (!left->isEmpty())
            return Error{ErrorCode::Internal, u"the outbox kept an item the relay took"_s};
        return sent;
    }

    /// `from` says `text` in `conversation`, sealed.
    Result<Sent> say(Device &from, qint64 conversation, const QString &text)
    {
        const QString key = newKey();
        const qint64 me = from.user;
        auto queued = from.write<bool>([conversation, me, key,
                                        text](QSqlDatabase &db) -> Result<bool> {
            if (auto message = local::queueMessage(db, conversation, me, key, text, 0); !message)
                return message.error();
            if (auto asked = sealing::askToSeal(db, key); !asked)
                return asked.error();
            return true;
        });
        if (!queued)
            return queued.error();
        return sealAndSend(from, key);
    }

    /// `from` changes a message (message.edit or message.react with `fields`), sealed
    /// because the message is.
    Result<Sent> change(Device &from, const QString &type, QJsonObject fields)
    {
        const QString key = newKey();
        fields.insert(u"client_id"_s, key);
        const qint64 me = from.user;
        auto asked = from.write<bool>([type, fields, me](QSqlDatabase &db) -> Result<bool> {
            auto item = local::queueChange(db, type, fields, me);
            if (!item)
                return item.error();
            return sealing::sealIfEncrypted(db, *item);
        });
        if (!asked)
            return asked.error();
        if (!*asked)
            return Error{ErrorCode::Internal, u"the change was not marked to be sealed"_s};
        return sealAndSend(from, key);
    }

    Result<sealing::Received> receive(Device &to, const proto::InboxMessage &message)
    {
        const qint64 me = to.user;
        return to.write<sealing::Received>(
            [message, me](QSqlDatabase &db) { return sealing::receive(db, message, me); });
    }
    Result<local::Applied> apply(Device &to, const proto::LogEntry &entry)
    {
        const qint64 me = to.user;
        return to.write<local::Applied>(
            [entry, me](QSqlDatabase &db) { return local::applyEvent(db, entry, me); });
    }
    /// What the relay sends `to` of `sent`: its inbox message first (if it has one), then the
    /// entry.
    Result<void> deliver(Device &to, const Sent &sent)
    {
        if (const auto message = inboxFor(sent, to)) {
            auto received = receive(to, *message);
            if (!received)
                return received.error();
            if (!received->applied)
                return Error{ErrorCode::Internal, u"an inbox message did not apply"_s};
        }
        auto applied = apply(to, sent.entry);
        if (!applied)
            return applied.error();
        return {};
    }
    Result<local::Message> messageAt(Device &on, qint64 conversation, qint64 seq)
    {
        auto found = on.read<QList<local::Message>>([conversation, seq](QSqlDatabase &db) {
            return local::messagesAt(db, conversation, {seq});
        });
        if (!found)
            return found.error();
        if (found->size() != 1)
            return Error{ErrorCode::NotFound, u"no entry at seq %1"_s.arg(seq)};
        return found->first();
    }
    Result<qint64> count(Device &on, const QString &statement, const QVariantList &values = {})
    {
        return on.read<qint64>([statement, values](QSqlDatabase &db) -> Result<qint64> {
            QSqlQuery query(db);
            query.prepare(statement);
            for (const QVariant &value : values)
                query.addBindValue(value);
            if (!query.exec() || !query.next())
                return Error{ErrorCode::Io, statement};
            return query.value(0).toLongLong();
        });
    }
    /// Alice and Bob, each knowing the other's devices, in a direct conversation.
    Result<void> directChat()
    {
        if (auto started = startDevices({kAlice, kBob}); !started)
            return started;
        if (auto introduced = introduceAll(); !introduced)
            return introduced;
        return storeConversationForAll(kDirect, u"direct"_s, {kAlice, kBob});
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init()
    {
        m_directory = std::make_unique<QTemporaryDir>();
        QVERIFY(m_directory->isValid());
    }
    void cleanup()
    {
        m_storeKeys.clear();
        m_devices.clear();
        m_lastSeq.clear();
        m_directory.reset();
    }

    void roundTrip()
    {
        VERIFY_OK(directChat());
        Device &alice = deviceOf(kAlice);
        Device &bob = deviceOf(kBob);

        auto sent = say(alice, kDirect, u"hello"_s);
        VERIFY_OK(sent);
        // The chain went to Bob's device, over the device inbox.
        QCOMPARE(recipientsOf(*sent), QList<quint32>{bob.id()});
        QCOMPARE(sent->entry.kind, u"encrypted"_s);
        // What the relay sees holds no text.
        QVERIFY(!inboxFor(*sent, bob)->body.contains("hello"));
        QVERIFY(!ciphertextOf(sent->entry).contains("hello"));
        QVERIFY(!QJsonDocument(sent->request).toJson().contains("hello"));
        QVERIFY(!QJsonDocument(sent->entry.encode()).toJson().contains("hello"));

        auto received = receive(bob, *inboxFor(*sent, bob));
        VERIFY_OK(received);
        QVERIFY(received->applied);
        auto applied = apply(bob, sent->entry);
        VERIFY_OK(applied);
        QVERIFY(applied->applied);
        auto shown = messageAt(bob, kDirect, sent->entry.seq);
        VERIFY_OK(shown);
        QCOMPARE(shown->kind, u"message"_s);
        QCOMPARE(shown->senderId, kAlice);
        QCOMPARE(textOf(*shown), u"hello"_s);
        QCOMPARE(stateOf(*shown), u"true"_s);

        // Alice's own copy shows it too, confirmed by the relay's entry.
        auto mine = messageAt(alice, kDirect, sent->entry.seq);
        VERIFY_OK(mine);
        QCOMPARE(textOf(*mine), u"hello"_s);
        QCOMPARE(mine->state, u"sent"_s);
    }

    void secretsAreSealedAtRest()
    {
        // Both stores have a store key: every secret row is sealed, and they chat as before.
        m_storeKeys.emplace(kAlice, tidings::e2e::StoreKey::generate());
        m_storeKeys.emplace(kBob, tidings::e2e::StoreKey::generate());
        VERIFY_OK(directChat());
        Device &alice = deviceOf(kAlice);
        Device &bob = deviceOf(kBob);
        auto sent = say(alice, kDirect, u"hello sealed world"_s);
        VERIFY_OK(sent);
        auto received = receive(bob, *inboxFor(*sent, bob));
        VERIFY_OK(received);
        QVERIFY(received->applied);
        VERIFY_OK(apply(bob, sent->entry));
        auto shown = messageAt(bob, kDirect, sent->entry.seq);
        VERIFY_OK(shown);
        QCOMPARE(textOf(*shown), u"hello sealed world"_s);

        // What each secret column holds is a sealed value: version 1, and it opens only with
        // that store's key, for that table, column and row.
        struct Column
        {
            const char *table;
            const char *column;
            const char *key; ///< the row key, as e2e_queries.cpp binds it
        };
        for (Device *device : {&alice, &bob}) {
            const tidings::e2e::StoreValueCipher cipher(m_storeKeys.at(device->user));
            for (const Column &column :
                 {Column{"e2e_self", "identity", "1"}, Column{"e2e_self", "device", "1"},
                  Column{"e2e_self", "signed_prekey", "1"}}) {
                auto raw = device->read<QByteArray>(
                    [column](QSqlDatabase &db) -> Result<QByteArray> {
                        QSqlQuery query(db);
                        if (!query.exec(u"SELECT %1 FROM %2"_s.arg(QLatin1StringView(column.column),
                                                                   QLatin1StringView(column.table)))
                            || !query.next())
                            return Error{ErrorCode::NotFound, u"no row"_s};
                        return query.value(0).toByteArray();
                    });
                VERIFY_OK(raw);
                QCOMPARE(quint8(raw->at(0)), tidings::e2e::kStoreValueVersion);
                QVERIFY(cipher.open(column.table, column.column, column.key, *raw).ok());
                QVERIFY(!cipher.open(column.table, "other", column.key, *raw).ok());
            }
        }
        // The cache of what was opened holds no plaintext either, on either side.
        for (Device *device : {&alice, &bob}) {
            auto payloads = device->read<QByteArray>([](QSqlDatabase &db) -> Result<QByteArray> {
                QSqlQuery query(db);
                QByteArray all;
                if (!query.exec(u"SELECT payload FROM e2e_opened"_s))
                    return Error{ErrorCode::Io, u"no cache"_s};
                while (query.next())
                    all += query.value(0).toByteArray();
                return all;
            });
            VERIFY_OK(payloads);
            QVERIFY(!payloads->isEmpty());
            QVERIFY(!payloads->contains("hello sealed world"));
        }
        // Another key opens none of it: the device's keys do not load.
        const QString path = alice.store->path();
        alice.store.reset();
        LocalStore wrong(path);
        wrong.setStoreKey(tidings::e2e::StoreKey::generate());
        QVERIFY(await(wrong.open()).ok());
        const auto id
            = await(wrong.read<quint32>([](QSqlDatabase &db) { return sealing::deviceId(db); }));
        QVERIFY(!id.ok());
        QCOMPARE(id.error().code, ErrorCode::Corrupt);
    }

    void messageBeforeItsKeyWaits()
    {
        VERIFY_OK(directChat());
        Device &alice = deviceOf(kAlice);
        Device &bob = deviceOf(kBob);
        auto sent = say(alice, kDirect, u"hello"_s);
        VERIFY_OK(sent);

        // The entry comes before the inbox message that carries its chain.
        auto applied = apply(bob, sent->entry);
        VERIFY_OK(applied);
        QCOMPARE(applied->syncedSeq, sent->entry.seq); // it does not hold the log up
        auto waiting = messageAt(bob, kDirect, sent->entry.seq);
        VERIFY_OK(waiting);
        QCOMPARE(stateOf(*waiting), u"waiting"_s);
        QCOMPARE(textOf(*waiting), QString());

        auto received = receive(bob, *inboxFor(*sent, bob));
        VERIFY_OK(received);
        QVERIFY(received->applied);
        QCOMPARE(received->conversations, QList<qint64>{kDirect});
        auto opened = messageAt(bob, kDirect, sent->entry.seq);
        VERIFY_OK(opened);
        QCOMPARE(opened->id, waiting->id); // the same row
        QCOMPARE(textOf(*opened), u"hello"_s);
        QCOMPARE(stateOf(*opened), u"true"_s);

        // The same entry again opens nothing twice.
        applied = apply(bob, sent->entry);
        VERIFY_OK(applied);
        QVERIFY(!applied->applied);
        auto again = messageAt(bob, kDirect, sent->entry.seq);
        VERIFY_OK(again);
        QCOMPARE(textOf(*again), u"hello"_s);
    }

    void tamperedCiphertextFails()
    {
        VERIFY_OK(directChat());
        Device &alice = deviceOf(kAlice);
        Device &bob = deviceOf(kBob);
        auto first = say(alice, kDirect, u"first"_s);
        VERIFY_OK(first);
        auto second = say(alice, kDirect, u"second"_s);
        VERIFY_OK(second);
        auto third = say(alice, kDirect, u"third"_s);
        VERIFY_OK(third);
        QVERIFY(second->inbox.isEmpty()); // one distribution serves the chain
        auto received = receive(bob, *inboxFor(*first, bob));
        VERIFY_OK(received);
        QVERIFY(received->applied);

        // One byte flipped past the header (chain id and iteration): it does not open.
        QByteArray flipped = ciphertextOf(first->entry);
        QVERIFY(flipped.size() > crypto::kSenderKeyHeaderBytes + 1);
        flipped[crypto::kSenderKeyHeaderBytes + 1]
            = char(flipped[crypto::kSenderKeyHeaderBytes + 1] ^ 0x01);
        auto applied = apply(bob, withCiphertext(first->entry, flipped));
        VERIFY_OK(applied);
        QCOMPARE(applied->syncedSeq, first->entry.seq);
        auto failed = messageAt(bob, kDirect, first->entry.seq);
        VERIFY_OK(failed);
        QCOMPARE(stateOf(*failed), u"failed"_s);
        QCOMPARE(textOf(*failed), QString());

        // The chain is as it was: the next genuine message opens.
        applied = apply(bob, second->entry);
        VERIFY_OK(applied);
        auto opened = messageAt(bob, kDirect, second->entry.seq);
        VERIFY_OK(opened);
        QCOMPARE(textOf(*opened), u"second"_s);
        QCOMPARE(stateOf(*opened), u"true"_s);

        // A genuine ciphertext under another client id than the one it was sealed with.
        proto::LogEntry rewrapped = third->entry;
        rewrapped.clientId = newKey();
        applied = apply(bob, rewrapped);
        VERIFY_OK(applied);
        auto moved = messageAt(bob, kDirect, third->entry.seq);
        VERIFY_OK(moved);
        QCOMPARE(stateOf(*moved), u"failed"_s);
        QCOMPARE(textOf(*moved), QString());
    }

    void genuineCiphertextUnderAnotherSenderFails()
    {
        VERIFY_OK(startDevices({kAlice, kBob, kCarol}));
        VERIFY_OK(introduceAll());
        VERIFY_OK(storeConversationForAll(kGroup, u"group"_s, {kAlice, kBob, kCarol}));
        Device &alice = deviceOf(kAlice);
        Device &bob = deviceOf(kBob);
        Device &carol = deviceOf(kCarol);
        auto sent = say(alice, kGroup, u"hello"_s);
        VERIFY_OK(sent);
        VERIFY_OK(deliver(bob, *sent));
        auto genuine = messageAt(bob, kGroup, sent->entry.seq);
        VERIFY_OK(genuine);
        QCOMPARE(textOf(*genuine), u"hello"_s);

        // The relay posts Alice's ciphertext again as Carol's (her device, the same client
        // id): Carol's chain did not make it (docs/encryption.md, section 5, "Receiving
        // checks": the chain came from the event's sender and device).
        proto::LogEntry forged = sent->entry;
        forged.seq = ++m_lastSeq[kGroup];
        forged.time = 1000 + forged.seq;
        forged.sender = kCarol;
        forged.body.insert(u"device"_s, qint64(carol.id()));
        auto applied = apply(bob, forged);
        VERIFY_OK(applied);
        auto shown = messageAt(bob, kGroup, forged.seq);
        VERIFY_OK(shown);
        QCOMPARE(shown->senderId, kCarol);
        // What was opened is cached by the ciphertext with its sender and device, so a
        // ciphertext opened once does not open again under another sender.
        QVERIFY2(textOf(*shown).isEmpty(), qPrintable(textOf(*shown)));

        QVERIFY(stateOf(*shown) == u"failed" || stateOf(*shown) == u"waiting");
    }

    void inboxReplaysChangeNothing()
    {
        VERIFY_OK(directChat());
        Device &alice = deviceOf(kAlice);
        Device &bob = deviceOf(kBob);
        const quint32 oneTimeId = bob.oneTimeOnRelay.first().id;
        const QString prekeyWithId = u"SELECT count(*) FROM e2e_prekeys WHERE id = ?"_s;
        auto held = count(bob, prekeyWithId, {qint64(oneTimeId)});
        VERIFY_OK(held);
        QCOMPARE(*held, 1);

        auto sent = say(alice, kDirect, u"hello"_s);
        VERIFY_OK(sent);
        const proto::InboxMessage message = *inboxFor(*sent, bob);
        auto received = receive(bob, message);
        VERIFY_OK(received);
        QVERIFY(received->applied);
        // The one-time prekey the session used is gone; the others stay.
        held = count(bob, prekeyWithId, {qint64(oneTimeId)});
        VERIFY_OK(held);
        QCOMPARE(*held, 0);
        auto left = count(bob, u"SELECT count(*) FROM e2e_prekeys"_s);
        VERIFY_OK(left);
        QCOMPARE(*left, 99);

        // The same seq again.
        received = receive(bob, message);
        VERIFY_OK(received);
        QVERIFY(!received->applied);
        QVERIFY(received->conversations.isEmpty());
        // The same body under a new seq (the relay replays it): its one-time prekey is used.
        proto::InboxMessage replayed = message;
        replayed.seq = ++bob.inboxSeq;
        received = receive(bob, replayed);
        VERIFY_OK(received);
        QVERIFY(!received->applied);
        // A lower seq than the cursor.
        received = receive(bob, message);
        VERIFY_OK(received);
        QVERIFY(!received->applied);
        auto cursor = bob.read<qint64>([](QSqlDatabase &db) { return sealing::inboxCursor(db); });
        VERIFY_OK(cursor);
        QCOMPARE(*cursor, replayed.seq);

        // Nothing of that disturbed the chain: the message opens.
        auto applied = apply(bob, sent->entry);
        VERIFY_OK(applied);
        auto shown = messageAt(bob, kDirect, sent->entry.seq);
        VERIFY_OK(shown);
        QCOMPARE(textOf(*shown), u"hello"_s);
    }

    void aSecondKeyBeforeAnyAnswerOpens()
    {
        // Alice's pairwise session with Bob carries its X3DH header until Bob answers, so
        // a second chain (another conversation) reaches him as a prekey message again.
        VERIFY_OK(directChat());
        Device &alice = deviceOf(kAlice);
        Device &bob = deviceOf(kBob);
        VERIFY_OK(storeConversationForAll(kGroup, u"group"_s, {kAlice, kBob}));
        auto first = say(alice, kDirect, u"one"_s);
        VERIFY_OK(first);
        VERIFY_OK(deliver(bob, *first));
        auto second = say(alice, kGroup, u"two"_s);
        VERIFY_OK(second);
        QCOMPARE(recipientsOf(*second), QList<quint32>{bob.id()});

        auto received = receive(bob, *inboxFor(*second, bob));
        VERIFY_OK(received);
        // Until the peer answers, every pairwise message carries the X3DH header of the
        // first: the session that header opened opens them, though its prekey is gone.
        QVERIFY(received->applied);
        auto applied = apply(bob, second->entry);
        VERIFY_OK(applied);
        auto shown = messageAt(bob, kGroup, second->entry.seq);
        VERIFY_OK(shown);

        QCOMPARE(textOf(*shown), u"two"_s);
    }

    void removingAMemberRotatesTheChain()
    {
        VERIFY_OK(startDevices({kAlice, kBob, kCarol}));
        VERIFY_OK(introduceAll());
        VERIFY_OK(storeConversationForAll(kGroup, u"group"_s, {kAlice, kBob, kCarol}));
        Device &alice = deviceOf(kAlice);
        Device &bob = deviceOf(kBob);
        Device &carol = deviceOf(kCarol);

        auto before = say(alice, kGroup, u"all three of us"_s);
        VERIFY_OK(before);
        QList<quint32> recipients = recipientsOf(*before);
        std::sort(recipients.begin(), recipients.end());
        QList<quint32> expected{bob.id(), carol.id()};
        std::sort(expected.begin(), expected.end());
        QCOMPARE(recipients, expected);
        for (Device *member : {&bob, &carol}) {
            VERIFY_OK(deliver(*member, *before));
            auto shown = messageAt(*member, kGroup, before->entry.seq);
            VERIFY_OK(shown);
            QCOMPARE(textOf(*shown), u"all three of us"_s);
        }
        // Bob answers over the session Alice opened, so she knows he has it (a second key
        // before any answer: aSecondKeyBeforeAnyAnswerOpens).
        auto answer = say(bob, kGroup, u"bob is in"_s);
        VERIFY_OK(answer);
        VERIFY_OK(deliver(alice, *answer));
        VERIFY_OK(deliver(carol, *answer));

        // Carol is removed.
        VERIFY_OK(storeConversation(alice, kGroup, u"group"_s, {kAlice, kBob}));
        VERIFY_OK(storeConversation(bob, kGroup, u"group"_s, {kAlice, kBob}));
        auto after = say(alice, kGroup, u"just us two"_s);
        VERIFY_OK(after);
        QVERIFY(chainIdOf(after->entry) != chainIdOf(before->entry)); // a new chain
        QCOMPARE(recipientsOf(*after), QList<quint32>{bob.id()}); // only for Bob

        // Carol, given the entry anyway, holds no key for it.
        auto applied = apply(carol, after->entry);
        VERIFY_OK(applied);
        auto hers = messageAt(carol, kGroup, after->entry.seq);
        VERIFY_OK(hers);
        QCOMPARE(stateOf(*hers), u"waiting"_s);
        QCOMPARE(textOf(*hers), QString());
        // Bob opens it.
        VERIFY_OK(deliver(bob, *after));
        auto his = messageAt(bob, kGroup, after->entry.seq);
        VERIFY_OK(his);
        QCOMPARE(textOf(*his), u"just us two"_s);

        // Bob's own next message rotates too: his chain went to Carol.
        auto bobAfter = say(bob, kGroup, u"bob without carol"_s);
        VERIFY_OK(bobAfter);
        QVERIFY(chainIdOf(bobAfter->entry) != chainIdOf(answer->entry));
        QCOMPARE(recipientsOf(*bobAfter), QList<quint32>{alice.id()});
        applied = apply(carol, bobAfter->entry);
        VERIFY_OK(applied);
        hers = messageAt(carol, kGroup, bobAfter->entry.seq);
        VERIFY_OK(hers);
        QCOMPARE(stateOf(*hers), u"waiting"_s);
        VERIFY_OK(deliver(alice, *bobAfter));
        auto alices = messageAt(alice, kGroup, bobAfter->entry.seq);
        VERIFY_OK(alices);
        QCOMPARE(textOf(*alices), u"bob without carol"_s);
    }

    void deviceListsAreVerified()
    {
        VERIFY_OK(startDevices({kAlice}));
        VERIFY_OK(introduceAll());
        Device &alice = deviceOf(kAlice);
        VERIFY_OK(storeConversation(alice, kDirect, u"direct"_s, {kAlice, kDave}));
        const QString key = newKey();
        auto queued = alice.write<bool>([key](QSqlDatabase &db) -> Result<bool> {
            if (auto message = local::queueMessage(db, kDirect, kAlice, key, u"hi"_s, 0); !message)
                return message.error();
            if (auto asked = sealing::askToSeal(db, key); !asked)
                return asked.error();
            return true;
        });
        VERIFY_OK(queued);
        auto store = [&alice](const proto::UserDevices &devices) {
            return alice.write<QList<qint64>>([devices](QSqlDatabase &db) {
                return sealing::storeDevices(db, kAlice, {devices});
            });
        };
        auto needs = [&alice, key] {
            return alice.read<sealing::SealNeeds>(
                [key](QSqlDatabase &db) { return sealing::sealNeeds(db, key, kAlice); });
        };

        // Dave, made here from the e2e library: an identity and two devices.
        const crypto::SigningKeyPair dave = crypto::SigningKeyPair::generate();
        const crypto::SigningKeyPair forger = crypto::SigningKeyPair::generate();
        auto first = deviceUnder(dave, kDave, 1);
        auto second = deviceUnder(dave, kDave, 2);
        VERIFY_OK(first);
        VERIFY_OK(second);
        const QList<proto::DeviceInfo> both{*first, *second};

        // A list under Dave's identity key but signed by another key: nothing of it is kept.
        auto forged = devicesSignedBy(forger, dave.publicKey(), kDave, 1, both);
        VERIFY_OK(forged);
        auto changed = store(*forged);
        VERIFY_OK(changed);
        QVERIFY(changed->isEmpty());
        auto need = needs();
        VERIFY_OK(need);
        QCOMPARE(need->lookUp, QList<qint64>{kDave}); // still unknown
        QVERIFY(need->claim.isEmpty());

        // His genuine list, version 2: trusted on first use.
        auto genuine = devicesSignedBy(dave, dave.publicKey(), kDave, 2, both);
        VERIFY_OK(genuine);
        changed = store(*genuine);
        VERIFY_OK(changed);
        QCOMPARE(*changed, QList<qint64>{kDave});
        need = needs();
        VERIFY_OK(need);
        QVERIFY(need->lookUp.isEmpty());
        QVERIFY(need->changed.isEmpty());
        QCOMPARE(sorted(need->claim), sorted(addresses(kDave, both)));

        // An older list (version 1, one device) is refused, even signed by Dave.
        auto older = devicesSignedBy(dave, dave.publicKey(), kDave, 1, {*first});
        VERIFY_OK(older);
        changed = store(*older);
        VERIFY_OK(changed);
        QVERIFY(changed->isEmpty());
        // A forged newer one as well.
        forged = devicesSignedBy(forger, dave.publicKey(), kDave, 3, {*first});
        VERIFY_OK(forged);
        changed = store(*forged);
        VERIFY_OK(changed);
        QVERIFY(changed->isEmpty());
        need = needs();
        VERIFY_OK(need);
        QCOMPARE(sorted(need->claim), sorted(addresses(kDave, both)));

        // Another identity key for Dave: he shows as changed, sealing waits, and his old
        // devices are kept meanwhile (the new identity's are not taken).
        const crypto::SigningKeyPair reset = crypto::SigningKeyPair::generate();
        auto third = deviceUnder(reset, kDave, 3);
        VERIFY_OK(third);
        auto replaced = devicesSignedBy(reset, reset.publicKey(), kDave, 4, {*third});
        VERIFY_OK(replaced);
        changed = store(*replaced);
        VERIFY_OK(changed);
        QCOMPARE(*changed, QList<qint64>{kDave});
        need = needs();
        VERIFY_OK(need);
        QCOMPARE(need->changed, QList<qint64>{kDave});
        QCOMPARE(sorted(need->claim), sorted(addresses(kDave, both)));
    }

    void signedPreKeysRotateAndRetiredOnesOpenForAWhile()
    {
        // Alice and Carol each claim Bob's bundle while his first signed prekey is published;
        // Bob replaces it before either of them writes.
        VERIFY_OK(startDevices({kAlice, kBob, kCarol}));
        VERIFY_OK(introduceAll());
        VERIFY_OK(storeConversationForAll(kDirect, u"direct"_s, {kAlice, kBob}));
        VERIFY_OK(storeConversationForAll(kDirect + 1, u"direct"_s, {kCarol, kBob}));
        Device &bob = deviceOf(kBob);
        const proto::SignedPreKeyInfo first = bob.signedPreKey;
        constexpr qint64 kUploaded = 1'000'000'000'000;
        const auto uploadAt = [&bob](const proto::PreKeyCount &count, qint64 at) {
            return bob.write<std::optional<proto::UploadPreKeys>>(
                [count, at](QSqlDatabase &db) { return sealing::prekeysToUpload(db, count, at); });
        };
        proto::PreKeyCount onRelay{100, first.id, kUploaded};

        // Younger than a week, with enough one-time prekeys: nothing to upload.
        auto early = uploadAt(onRelay, kUploaded + sealing::kSignedPreKeyLifetime - 1);
        VERIFY_OK(early);
        QVERIFY(!early->has_value());

        // A week old: a new signed prekey, under a new id, signed by Bob's device key.
        const qint64 rotatedAt = kUploaded + sealing::kSignedPreKeyLifetime;
        auto rotated = uploadAt(onRelay, rotatedAt);
        VERIFY_OK(rotated);
        QVERIFY(rotated->has_value());
        QVERIFY((*rotated)->signedPreKey.has_value());
        QVERIFY((*rotated)->oneTime.isEmpty());
        const proto::SignedPreKeyInfo second = *(*rotated)->signedPreKey;
        QCOMPARE(second.id, first.id + 1);
        QVERIFY(second.key != first.key);
        const crypto::SignedPreKeyPublic published{second.id, second.key, second.signature};
        QVERIFY(published.verify(bob.setup.registration.key).ok());
        // Not uploaded yet (the relay still holds the first): the same one is offered again.
        auto again = uploadAt(onRelay, rotatedAt + 1);
        VERIFY_OK(again);
        QVERIFY(again->has_value() && (*again)->signedPreKey.has_value());
        QCOMPARE((*again)->signedPreKey->key, second.key);
        // Few one-time prekeys left: topped up to 100, with no signed prekey once it is on
        // the relay.
        auto topUp = uploadAt({5, second.id, rotatedAt}, rotatedAt + 1);
        VERIFY_OK(topUp);
        QVERIFY(topUp->has_value() && !(*topUp)->signedPreKey);
        QCOMPARE((*topUp)->oneTime.size(), 95);

        // Alice's session, started on the bundle with the first signed prekey, still opens.
        auto fromAlice = say(deviceOf(kAlice), kDirect, u"still there?"_s);
        VERIFY_OK(fromAlice);
        VERIFY_OK(deliver(bob, *fromAlice));
        auto shown = messageAt(bob, kDirect, fromAlice->entry.seq);
        VERIFY_OK(shown);
        QCOMPARE(textOf(*shown), u"still there?"_s);

        // 30 days after it was replaced the first one is gone: Carol's session, started on
        // it, no longer opens (and nothing is applied), while the second one is kept.
        auto later = uploadAt({100, second.id, rotatedAt},
                              rotatedAt + sealing::kRetiredSignedPreKeyKept + 1);
        VERIFY_OK(later);
        QVERIFY(later->has_value()); // the second one is a week old too by then
        auto retired = count(bob, u"SELECT count(*) FROM e2e_retired_prekeys WHERE id = ?"_s,
                             {qint64(first.id)});
        VERIFY_OK(retired);
        QCOMPARE(*retired, 0);
        auto kept = count(bob, u"SELECT count(*) FROM e2e_retired_prekeys WHERE id = ?"_s,
                          {qint64(second.id)});
        VERIFY_OK(kept);
        QCOMPARE(*kept, 1);
        auto fromCarol = say(deviceOf(kCarol), kDirect + 1, u"hello Bob"_s);
        VERIFY_OK(fromCarol);
        const auto message = inboxFor(*fromCarol, bob);
        QVERIFY(message.has_value());
        auto received = receive(bob, *message);
        VERIFY_OK(received);
        QVERIFY(!received->applied);
    }

    void editsAndReactions()
    {
        VERIFY_OK(directChat());
        Device &alice = deviceOf(kAlice);
        Device &bob = deviceOf(kBob);
        auto sent = say(alice, kDirect, u"meet at the old mill"_s);
        VERIFY_OK(sent);
        VERIFY_OK(deliver(bob, *sent));
        const qint64 seq = sent->entry.seq;

        // Alice edits it: sealed, and Bob's copy changes.
        auto edit = change(alice, QString::fromLatin1(proto::EditMessage::kType),
                           {{u"conversation"_s, kDirect},
                            {u"seq"_s, seq},
                            {u"text"_s, u"meet at the new mill"_s}});
        VERIFY_OK(edit);
        QCOMPARE(edit->entry.kind, u"encrypted_edit"_s);
        QCOMPARE(edit->entry.targetSeq, seq);
        QVERIFY(!QJsonDocument(edit->request).toJson().contains("new mill"));
        VERIFY_OK(deliver(bob, *edit));
        auto shown = messageAt(bob, kDirect, seq);
        VERIFY_OK(shown);
        QCOMPARE(textOf(*shown), u"meet at the new mill"_s);
        QCOMPARE(stateOf(*shown), u"true"_s);

        // Bob reacts: Alice sees who reacted with what.
        const QString thumbs = u"👍"_s;
        auto reacted = change(
            bob, QString::fromLatin1(proto::ReactToMessage::kType),
            {{u"conversation"_s, kDirect}, {u"seq"_s, seq}, {u"emoji"_s, thumbs}, {u"on"_s, true}});
        VERIFY_OK(reacted);
        QCOMPARE(reacted->entry.kind, u"encrypted_reaction"_s);
        QVERIFY(!QJsonDocument(reacted->request).toJson().contains(thumbs.toUtf8()));
        VERIFY_OK(deliver(alice, *reacted));
        auto reactions = [&]() -> QJsonObject {
            auto message = messageAt(alice, kDirect, seq);
            return message ? message->body.value(u"reactions").toObject() : QJsonObject();
        };
        QCOMPARE(reactions(), (QJsonObject{{thumbs, QJsonArray{kBob}}}));

        // Another emoji under the 👍 tag (the relay folding it into 👍): ignored.
        auto party = change(
            bob, QString::fromLatin1(proto::ReactToMessage::kType),
            {{u"conversation"_s, kDirect}, {u"seq"_s, seq}, {u"emoji"_s, u"🎉"_s}, {u"on"_s, true}});
        VERIFY_OK(party);
        QVERIFY(party->entry.body.value(u"tag") != reacted->entry.body.value(u"tag"));
        proto::LogEntry mislabelled = party->entry;
        mislabelled.body.insert(u"tag"_s, reacted->entry.body.value(u"tag"));
        auto applied = apply(alice, mislabelled);
        VERIFY_OK(applied);
        QCOMPARE(reactions(), (QJsonObject{{thumbs, QJsonArray{kBob}}}));
        // So is a reaction whose tag stands for no emoji.
        auto unknown = change(
            bob, QString::fromLatin1(proto::ReactToMessage::kType),
            {{u"conversation"_s, kDirect}, {u"seq"_s, seq}, {u"emoji"_s, u"🌾"_s}, {u"on"_s, true}});
        VERIFY_OK(unknown);
        proto::LogEntry untagged = unknown->entry;
        untagged.body.insert(u"tag"_s, u"AAAAAAAAAAAAAAAAAAAAAA"_s);
        applied = apply(alice, untagged);
        VERIFY_OK(applied);
        QCOMPARE(reactions(), (QJsonObject{{thumbs, QJsonArray{kBob}}}));
        auto own = messageAt(alice, kDirect, seq);
        VERIFY_OK(own);
        QCOMPARE(textOf(*own), u"meet at the new mill"_s);
    }
};

QTEST_GUILESS_MAIN(TestE2eLocal)
#include "tst_e2e_local.moc"
