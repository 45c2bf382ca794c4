#include "core/e2e_queries.h"

#include "core/local_queries_internal.h"
#include "core/message_attachment.h"
#include "core/store_cipher.h"
#include "e2e/device_keys.h"
#include "e2e/device_link.h"
#include "e2e/hkdf.h"
#include "e2e/pairwise_session.h"
#include "e2e/prekeys.h"
#include "e2e/safety_number.h"
#include "e2e/sender_keys.h"
#include "protocol/messages/message_requests.h"
#include "sql/sql_helpers.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QUuid>

#include <sodium.h>

#include <limits>

namespace tidings::app::local::e2e {

using namespace Qt::StringLiterals;
using sql::now;
using sql::run;
namespace proto = protocol::messages;
namespace crypto = tidings::e2e;

namespace {

/// One-time prekeys the relay should hold; fewer than crypto::kOneTimePreKeyRefillBelow
/// and the app tops them up.
constexpr int kOneTimePreKeys = 100;
/// Pairwise sessions kept per peer device: two devices that started sessions with each
/// other at once each hold both until one wins (the one last used).
constexpr int kSessionsPerDevice = 4;
/// A pairwise payload's first byte.
constexpr char kSenderKeyPayload = 0x01;
/// A prekey message's first byte (the e2e library's encoding kind); anything else is a
/// ratchet message.
constexpr char kPreKeyMessageByte = 0x0b;
constexpr char kInboxCursor[] = "e2e.inbox_seq";
/// Group payloads are padded to a multiple of this (docs/encryption.md, section 6).
constexpr qsizetype kPadding = 64;
/// The kinds of encrypted entries (docs/protocol.md, "End-to-end encryption: messages").
constexpr QStringView kEncrypted = u"encrypted";
constexpr QStringView kEncryptedEdit = u"encrypted_edit";
constexpr QStringView kEncryptedReaction = u"encrypted_reaction";

struct DeviceRef
{
    qint64 user = 0;
    quint32 device = 0;
    friend bool operator==(const DeviceRef &, const DeviceRef &) = default;
    friend size_t qHash(const DeviceRef &ref, size_t seed = 0)
    {
        return qHashMulti(seed, ref.user, ref.device);
    }
};

struct Self
{
    qint64 user = 0;
    crypto::SigningKeyPair identity;
    crypto::DeviceKeys device;
    crypto::SignedPreKey signedPreKey;
    qint64 listVersion = 0;
    quint32 nextPreKeyId = 0;
};

Error corrupt(const QString &what, const Error &why)
{
    return {ErrorCode::Corrupt, u"this device's %1 does not read: %2"_s.arg(what, why.message)};
}

/// A value as this device keeps it: sealed with the store key when the store has one
/// (store_cipher.h), bound to its table, column and row.
Result<QVariant> keep(QSqlDatabase &db, QByteArrayView table, QByteArrayView column,
                      const QString &row, const QByteArray &value)
{
    return local::sealColumn(db, table, column, row, value);
}

Result<QByteArray> kept(QSqlDatabase &db, QByteArrayView table, QByteArrayView column,
                        const QString &row, const QVariant &stored)
{
    return local::openColumn(db, table, column, row, stored);
}

QString rowKey(std::initializer_list<qint64> parts)
{
    QStringList keys;
    for (const qint64 part : parts)
        keys.append(QString::number(part));
    return keys.join(u'/');
}

Result<std::optional<Self>> loadSelf(QSqlDatabase &db)
{
    auto query = run(db,
                     u"SELECT user_id, identity, device, signed_prekey, list_version, "
                     "next_prekey_id FROM e2e_self WHERE id = 1"_s);
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<Self>();
    const QString row = u"1"_s;
    auto identityBytes = kept(db, "e2e_self", "identity", row, query->value(1));
    auto deviceBytes = kept(db, "e2e_self", "device", row, query->value(2));
    auto signedPreKeyBytes = kept(db, "e2e_self", "signed_prekey", row, query->value(3));
    if (!identityBytes || !deviceBytes || !signedPreKeyBytes)
        return !identityBytes ? identityBytes.error()
            : !deviceBytes    ? deviceBytes.error()
                              : signedPreKeyBytes.error();
    auto identity = crypto::SigningKeyPair::deserialise(*identityBytes);
    if (!identity)
        return corrupt(u"identity key"_s, identity.error());
    auto device = crypto::DeviceKeys::deserialise(*deviceBytes);
    if (!device)
        return corrupt(u"device key"_s, device.error());
    auto signedPreKey = crypto::SignedPreKey::deserialise(*signedPreKeyBytes);
    if (!signedPreKey)
        return corrupt(u"signed prekey"_s, signedPreKey.error());
    return std::optional<Self>(Self{query->value(0).toLongLong(), std::move(*identity),
                                    std::move(*device), std::move(*signedPreKey),
                                    query->value(4).toLongLong(),
                                    static_cast<quint32>(query->value(5).toLongLong())});
}

Result<Self> requireSelf(QSqlDatabase &db)
{
    auto self = loadSelf(db);
    if (!self)
        return self.error();
    if (!*self)
        return Error{ErrorCode::Forbidden, u"this device has no end-to-end keys yet"_s};
    return std::move(**self);
}

Result<void> saveSelf(QSqlDatabase &db, const Self &self)
{
    const QString row = u"1"_s;
    auto identity = keep(db, "e2e_self", "identity", row, self.identity.serialise());
    auto device = keep(db, "e2e_self", "device", row, self.device.serialise());
    auto signedPreKey = keep(db, "e2e_self", "signed_prekey", row, self.signedPreKey.serialise());
    if (!identity || !device || !signedPreKey)
        return !identity ? identity.error() : !device ? device.error() : signedPreKey.error();
    auto saved = run(db,
                     u"INSERT INTO e2e_self (id, user_id, identity, device, signed_prekey, "
                     "list_version, next_prekey_id) VALUES (1, ?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, identity = "
                     "excluded.identity, device = excluded.device, signed_prekey = "
                     "excluded.signed_prekey, list_version = excluded.list_version, "
                     "next_prekey_id = excluded.next_prekey_id"_s,
                     {self.user, *identity, *device, *signedPreKey, self.listVersion,
                      qint64(self.nextPreKeyId)});
    if (!saved)
        return saved.error();
    return {};
}

/// A batch of new one-time prekeys, stored; the self row's next id moves past them.
Result<QList<proto::OneTimePreKeyInfo>> newOneTimePreKeys(QSqlDatabase &db, Self &self, int count)
{
    QList<proto::OneTimePreKeyInfo> published;
    for (const crypto::OneTimePreKey &key :
         crypto::OneTimePreKey::generateBatch(self.nextPreKeyId, count)) {
        auto secret = keep(db, "e2e_prekeys", "secret", rowKey({key.id}), key.serialise());
        if (!secret)
            return secret.error();
        auto stored = run(db, u"INSERT OR REPLACE INTO e2e_prekeys (id, secret) VALUES (?, ?)"_s,
                          {qint64(key.id), *secret});
        if (!stored)
            return stored.error();
        published.append({key.id, key.keyPair.publicKey});
    }
    self.nextPreKeyId += static_cast<quint32>(count);
    return published;
}

proto::SignedPreKeyInfo publicInfo(const crypto::SignedPreKey &key)
{
    const crypto::SignedPreKeyPublic part = key.publicPart();
    return {part.id, part.publicKey, part.signature};
}

QString userIdString(qint64 user)
{
    return QString::number(user);
}

/// What a ciphertext is cached by once opened: the ciphertext with whom it came from,
/// so the relay cannot have a message it saw opened again as another sender's.
QByteArray digestOf(qint64 conversation, qint64 sender, quint32 device, QByteArrayView ciphertext)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QByteArray(QByteArray::number(conversation) + ':' + QByteArray::number(sender)
                            + ':' + QByteArray::number(device) + ':'));
    hash.addData(ciphertext);
    return hash.result().first(16);
}

QByteArray pad(const QByteArray &plaintext)
{
    QByteArray padded = plaintext;
    padded.append(char(0x80));
    while (padded.size() % kPadding != 0)
        padded.append('\0');
    return padded;
}

std::optional<QByteArray> unpad(QByteArray padded)
{
    while (!padded.isEmpty() && padded.back() == '\0')
        padded.chop(1);
    if (padded.isEmpty() || padded.back() != char(0x80))
        return std::nullopt;
    padded.chop(1);
    return padded;
}

/// The tag a reaction carries in clear: equal emoji on one message, equal tags.
QString reactionTag(const QByteArray &reactionKey, const QString &emoji)
{
    const QByteArray mac = crypto::hmacSha256(
        reactionKey, QByteArray(QByteArray("tidings-reaction-v1") + emoji.toUtf8()));
    return QString::fromLatin1(
        mac.first(16).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

// --- devices ----------------------------------------------------------------------------

/// The first column of what `statement` selects: user ids.
Result<QList<qint64>> userIds(QSqlDatabase &db, const QString &statement,
                              const QVariantList &values = {})
{
    auto query = run(db, statement, values);
    if (!query)
        return query.error();
    QList<qint64> users;
    while (query->next())
        users.append(query->value(0).toLongLong());
    return users;
}

Result<QList<qint64>> membersOf(QSqlDatabase &db, qint64 conversation)
{
    return userIds(db, u"SELECT user_id FROM members WHERE conversation_id = ?"_s, {conversation});
}

/// The devices to encrypt to of `users`: in their verified list and registered.
Result<QList<DeviceRef>> devicesOf(QSqlDatabase &db, const QList<qint64> &users)
{
    QList<DeviceRef> devices;
    for (const qint64 user : users) {
        auto query = run(db, u"SELECT device_id FROM e2e_devices WHERE user_id = ?"_s, {user});
        if (!query)
            return query.error();
        while (query->next())
            devices.append({user, static_cast<quint32>(query->value(0).toLongLong())});
    }
    return devices;
}

Result<std::optional<QByteArray>> deviceKeyOf(QSqlDatabase &db, const DeviceRef &ref)
{
    auto query
        = run(db, u"SELECT device_key FROM e2e_devices WHERE user_id = ? AND device_id = ?"_s,
              {ref.user, qint64(ref.device)});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<QByteArray>();
    return std::optional(query->value(0).toByteArray());
}

Result<std::optional<QByteArray>> trustedIdentity(QSqlDatabase &db, qint64 user)
{
    auto query = run(db, u"SELECT identity_key FROM e2e_identities WHERE user_id = ?"_s, {user});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<QByteArray>();
    return std::optional(query->value(0).toByteArray());
}

// --- pairwise sessions --------------------------------------------------------------------

struct StoredSession
{
    qint64 id = 0;
    crypto::RatchetSession session;
    QByteArray header; ///< the X3DH header to send until the peer answered; empty after
};

/// The sessions with one device, the one last used first.
Result<QList<StoredSession>> sessionsWith(QSqlDatabase &db, const DeviceRef &ref)
{
    auto query = run(db,
                     u"SELECT id, state, header FROM e2e_sessions WHERE user_id = ? AND "
                     "device_id = ? ORDER BY used_at DESC, id DESC"_s,
                     {ref.user, qint64(ref.device)});
    if (!query)
        return query.error();
    QList<StoredSession> sessions;
    const QString row = rowKey({ref.user, ref.device});
    while (query->next()) {
        auto state = kept(db, "e2e_sessions", "state", row, query->value(1));
        if (!state)
            return state.error();
        auto session = crypto::RatchetSession::deserialise(*state);
        if (!session)
            return corrupt(u"pairwise session"_s, session.error());
        QByteArray header;
        if (!query->value(2).isNull()) {
            auto opened = kept(db, "e2e_sessions", "header", row, query->value(2));
            if (!opened)
                return opened.error();
            header = *opened;
        }
        sessions.append({query->value(0).toLongLong(), std::move(*session), header});
    }
    return sessions;
}

Result<void> saveSession(QSqlDatabase &db, const DeviceRef &ref, const StoredSession &stored)
{
    // Sealed to the device, not to the row: the sessions of one device are interchangeable.
    const QString row = rowKey({ref.user, ref.device});
    auto state = keep(db, "e2e_sessions", "state", row, stored.session.serialise());
    if (!state)
        return state.error();
    QVariant header;
    if (!stored.header.isEmpty()) {
        auto sealed = keep(db, "e2e_sessions", "header", row, stored.header);
        if (!sealed)
            return sealed.error();
        header = *sealed;
    }
    if (stored.id > 0) {
        auto updated = run(db,
                           u"UPDATE e2e_sessions SET state = ?, header = ?, used_at = ? "
                           "WHERE id = ?"_s,
                           {*state, header, now(), stored.id});
        if (!updated)
            return updated.error();
        return {};
    }
    auto inserted = run(db,
                        u"INSERT INTO e2e_sessions (user_id, device_id, state, header, used_at) "
                        "VALUES (?, ?, ?, ?, ?)"_s,
                        {ref.user, qint64(ref.device), *state, header, now()});
    if (!inserted)
        return inserted.error();
    // The oldest go once there are too many.
    auto trimmed
        = run(db,
              u"DELETE FROM e2e_sessions WHERE user_id = ? AND device_id = ? AND id NOT "
              "IN (SELECT id FROM e2e_sessions WHERE user_id = ? AND device_id = ? "
              "ORDER BY used_at DESC, id DESC LIMIT ?)"_s,
              {ref.user, qint64(ref.device), ref.user, qint64(ref.device), kSessionsPerDevice});
    if (!trimmed)
        return trimmed.error();
    return {};
}

/// `plaintext` for one device over the session last used with it: a prekey message
/// while the peer has not answered.
Result<QByteArray> encryptFor(QSqlDatabase &db, const DeviceRef &ref, const QByteArray &plaintext)
{
    auto sessions = sessionsWith(db, ref);
    if (!sessions)
        return sessions.error();
    if (sessions->isEmpty())
        return Error{ErrorCode::NotFound, u"no session with that device"_s};
    StoredSession &stored = sessions->first();
    auto sealed = stored.session.encrypt(plaintext);
    if (!sealed)
        return sealed.error();
    QByteArray wire = *sealed;
    if (!stored.header.isEmpty()) {
        auto header = crypto::X3dhHeader::decode(stored.header);
        if (!header)
            return corrupt(u"session header"_s, header.error());
        wire = crypto::PreKeyMessage{*header, *sealed}.encode();
    }
    if (auto saved = saveSession(db, ref, stored); !saved)
        return saved.error();
    return wire;
}

Result<bool> hasSession(QSqlDatabase &db, const DeviceRef &ref)
{
    auto query
        = run(db, u"SELECT 1 FROM e2e_sessions WHERE user_id = ? AND device_id = ? LIMIT 1"_s,
              {ref.user, qint64(ref.device)});
    if (!query)
        return query.error();
    return query->next();
}

/// A session with the device of `info`, if its bundle verifies against the identity key
/// trusted for its user and names a device this one may encrypt to.
Result<void> startSessionFrom(QSqlDatabase &db, const Self &self,
                              const proto::PreKeyBundleInfo &info)
{
    const DeviceRef ref{info.user, info.device};
    auto key = deviceKeyOf(db, ref);
    if (!key)
        return key.error();
    auto identity = trustedIdentity(db, info.user);
    if (!identity)
        return identity.error();
    if (!*key || !*identity || **key != info.key)
        return Error{ErrorCode::Forbidden, u"a bundle for a device that is not listed"_s};
    auto certificate = crypto::DeviceCertificate::decode(info.certificate);
    if (!certificate)
        return certificate.error();
    if (certificate->userId != userIdString(info.user) || certificate->deviceId != info.device)
        return Error{ErrorCode::Forbidden, u"a bundle's certificate names another device"_s};
    crypto::PreKeyBundle bundle;
    bundle.certificate = *certificate;
    bundle.signedPreKey
        = {info.signedPreKey.id, info.signedPreKey.key, info.signedPreKey.signature};
    if (info.oneTime)
        bundle.oneTimePreKey = crypto::OneTimePreKeyPublic{info.oneTime->id, info.oneTime->key};
    auto started = crypto::startSession(self.device.keyPair, bundle, **identity);
    if (!started)
        return started.error();
    return saveSession(db, ref, {0, std::move(started->session), started->header.encode()});
}

// --- sender chains -------------------------------------------------------------------------

Result<std::optional<crypto::SenderChain>> ownChain(QSqlDatabase &db, qint64 conversation)
{
    auto query
        = run(db, u"SELECT chain FROM e2e_chains_out WHERE conversation_id = ?"_s, {conversation});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<crypto::SenderChain>();
    auto bytes = kept(db, "e2e_chains_out", "chain", rowKey({conversation}), query->value(0));
    if (!bytes)
        return bytes.error();
    auto chain = crypto::SenderChain::deserialise(*bytes);
    if (!chain)
        return corrupt(u"sender chain"_s, chain.error());
    return std::optional(std::move(*chain));
}

/// Keeps this device's chain in a conversation; `firstChain` (the chain as it was made,
/// serialised) only when it is new.
Result<void> saveOwnChain(QSqlDatabase &db, const crypto::SenderChain &chain,
                          const QByteArray &firstChain)
{
    const QString row = rowKey({chain.conversationId()});
    auto sealed = keep(db, "e2e_chains_out", "chain", row, chain.serialise());
    if (!sealed)
        return sealed.error();
    const bool created = !firstChain.isEmpty();
    QVariant first;
    if (created) {
        auto sealedFirst = keep(db, "e2e_chains_out", "first_chain", row, firstChain);
        if (!sealedFirst)
            return sealedFirst.error();
        first = *sealedFirst;
    }
    auto saved = run(db,
                     created ? u"INSERT OR REPLACE INTO e2e_chains_out (conversation_id, chain, "
                               "first_chain, created_at) VALUES (?, ?, ?, ?)"_s
                             : u"UPDATE e2e_chains_out SET chain = ? WHERE conversation_id = ?"_s,
                     created ? QVariantList{chain.conversationId(), *sealed, first, now()}
                             : QVariantList{*sealed, chain.conversationId()});
    if (!saved)
        return saved.error();
    return {};
}

Result<QSet<DeviceRef>> chainHolders(QSqlDatabase &db, qint64 conversation)
{
    auto query
        = run(db, u"SELECT user_id, device_id FROM e2e_chain_holders WHERE conversation_id = ?"_s,
              {conversation});
    if (!query)
        return query.error();
    QSet<DeviceRef> holders;
    while (query->next())
        holders.insert(
            {query->value(0).toLongLong(), static_cast<quint32>(query->value(1).toLongLong())});
    return holders;
}

struct ChainKey
{
    qint64 conversation = 0;
    qint64 user = 0;
    quint32 device = 0;
    quint32 chainId = 0;
    QVariantList values() const { return {conversation, user, qint64(device), qint64(chainId)}; }
    QString row() const { return rowKey({conversation, user, device, chainId}); }
};

Result<std::optional<crypto::ReceivedSenderChain>> receivedChain(QSqlDatabase &db,
                                                                 const ChainKey &key)
{
    auto query = run(db,
                     u"SELECT state FROM e2e_chains_in WHERE conversation_id = ? AND user_id = ? "
                     "AND device_id = ? AND chain_id = ?"_s,
                     key.values());
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<crypto::ReceivedSenderChain>();
    auto bytes = kept(db, "e2e_chains_in", "state", key.row(), query->value(0));
    if (!bytes)
        return bytes.error();
    auto chain = crypto::ReceivedSenderChain::deserialise(*bytes);
    if (!chain)
        return corrupt(u"received chain"_s, chain.error());
    return std::optional(std::move(*chain));
}

/// Keeps a received chain. `first`: it is new here (or reaches further back than the one
/// held), and as it is now it is also the history key a linked device is given.
Result<void> saveReceivedChain(QSqlDatabase &db, const ChainKey &key,
                               const crypto::ReceivedSenderChain &chain, bool first = false)
{
    const QByteArray state = chain.serialise();
    auto sealed = keep(db, "e2e_chains_in", "state", key.row(), state);
    if (!sealed)
        return sealed.error();
    QVariantList values = key.values();
    values.append(*sealed);
    if (first) {
        auto sealedFirst = keep(db, "e2e_chains_in", "first_state", key.row(), state);
        if (!sealedFirst)
            return sealedFirst.error();
        values.append(*sealedFirst);
    }
    auto saved = run(db,
                     first ? u"INSERT OR REPLACE INTO e2e_chains_in (conversation_id, user_id, "
                             "device_id, chain_id, state, first_state) VALUES (?, ?, ?, ?, ?, ?)"_s
                           : u"UPDATE e2e_chains_in SET state = ? WHERE conversation_id = ? AND "
                             "user_id = ? AND device_id = ? AND chain_id = ?"_s,
                     first ? values : QVariantList{values.last()} + key.values());
    if (!saved)
        return saved.error();
    return {};
}

/// The payload opened (or sealed here) from the ciphertext of `digest`, if it was.
Result<std::optional<QJsonObject>> cachedPayload(QSqlDatabase &db, const QByteArray &digest)
{
    auto cached = run(db, u"SELECT payload FROM e2e_opened WHERE digest = ?"_s, {digest});
    if (!cached)
        return cached.error();
    if (!cached->next())
        return std::optional<QJsonObject>();
    auto payload
        = kept(db, "e2e_opened", "payload", QString::fromLatin1(digest.toHex()), cached->value(0));
    if (!payload)
        return payload.error();
    return std::optional(QJsonDocument::fromJson(*payload).object());
}

Result<void> cachePayload(QSqlDatabase &db, const QByteArray &digest, const QJsonObject &payload)
{
    auto sealed = keep(db, "e2e_opened", "payload", QString::fromLatin1(digest.toHex()),
                       QJsonDocument(payload).toJson(QJsonDocument::Compact));
    if (!sealed)
        return sealed.error();
    auto stored = run(db, u"INSERT OR REPLACE INTO e2e_opened (digest, payload) VALUES (?, ?)"_s,
                      {digest, *sealed});
    if (!stored)
        return stored.error();
    return {};
}

/// What opening one ciphertext came to.
struct Opened
{
    enum class State { Open, Waiting, Failed } state = State::Failed;
    QJsonObject payload; ///< Open
    quint32 chainId = 0; ///< Waiting: the chain it needs
};

/// Opens a sender-key ciphertext of `sender`'s `device` in `conversation`: from the
/// cache when it was opened (or sealed here) before, else with the chain, cached.
Result<Opened> openCiphertext(QSqlDatabase &db, qint64 conversation, qint64 sender, quint32 device,
                              const QByteArray &ciphertext)
{
    const QByteArray digest = digestOf(conversation, sender, device, ciphertext);
    auto cached = cachedPayload(db, digest);
    if (!cached)
        return cached.error();
    if (*cached)
        return Opened{Opened::State::Open, **cached, 0};
    const auto header = crypto::SenderKeyMessageHeader::decode(ciphertext);
    if (!header)
        return Opened{};
    const ChainKey key{conversation, sender, device, header->chainId};
    auto chain = receivedChain(db, key);
    if (!chain)
        return chain.error();
    if (!*chain)
        return Opened{Opened::State::Waiting, {}, header->chainId};
    auto plaintext = (*chain)->decrypt(ciphertext);
    if (!plaintext) {
        // Sent before this device was given the chain: another device may have it.
        if (plaintext.error().code == ErrorCode::Forbidden)
            return Opened{Opened::State::Waiting, {}, header->chainId};
        return Opened{};
    }
    const auto unpadded = unpad(*plaintext);
    QJsonParseError error;
    const QJsonDocument document
        = unpadded ? QJsonDocument::fromJson(*unpadded, &error) : QJsonDocument();
    if (!unpadded || !document.isObject())
        return Opened{};
    if (auto saved = saveReceivedChain(db, key, **chain); !saved)
        return saved.error();
    const QJsonObject payload = document.object();
    if (auto stored = cachePayload(db, digest, payload); !stored)
        return stored.error();
    return Opened{Opened::State::Open, payload, 0};
}

Result<void> keepWaiting(QSqlDatabase &db, const proto::LogEntry &entry, quint32 device,
                         quint32 chainId)
{
    auto sealed = keep(db, "e2e_waiting", "entry", rowKey({entry.conversation, entry.seq}),
                       QJsonDocument(entry.encode()).toJson(QJsonDocument::Compact));
    if (!sealed)
        return sealed.error();
    auto stored = run(
        db,
        u"INSERT OR REPLACE INTO e2e_waiting (conversation_id, seq, user_id, "
        "device_id, chain_id, entry) VALUES (?, ?, ?, ?, ?, ?)"_s,
        {entry.conversation, entry.seq, entry.sender, qint64(device), qint64(chainId), *sealed});
    if (!stored)
        return stored.error();
    return {};
}

bool payloadMatches(const QJsonObject &payload, const QString &type, const proto::LogEntry &entry)
{
    return payload.value(u"v").toInt() == 1 && payload.value(u"t").toString() == type
        && payload.value(u"conversation").toInteger() == entry.conversation
        && payload.value(u"client_id").toString() == entry.clientId;
}

/// The client id and reaction key of the (opened) message at `seq`.
struct Target
{
    QString clientId;
    qint64 sender = 0;
    QByteArray reactionKey;
};
Result<std::optional<Target>> targetAt(QSqlDatabase &db, qint64 conversation, qint64 seq)
{
    auto query = run(db,
                     u"SELECT client_id, sender_id, body, id FROM messages WHERE "
                     "conversation_id = ? AND seq = ?"_s,
                     {conversation, seq});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<Target>();
    const auto body = detail::openBody(db, "body", query->value(3).toLongLong(), query->value(2));
    if (!body)
        return body.error();
    return std::optional(
        Target{query->value(0).toString(), query->value(1).toLongLong(),
               QByteArray::fromBase64(body->value(u"reaction_key").toString().toLatin1())});
}

QJsonObject messageBody(const QJsonObject &payload)
{
    QJsonObject body{{u"text"_s, payload.value(u"text").toString()}, {u"e2e"_s, true}};
    if (const QJsonObject reply = payload.value(u"reply_to").toObject(); !reply.isEmpty())
        body.insert(u"reply_to"_s, reply.value(u"seq").toInteger());
    if (const QJsonArray attachments = payload.value(u"attachments").toArray();
        !attachments.isEmpty())
        body.insert(u"attachments"_s, attachments);
    if (payload.contains(u"reaction_key"))
        body.insert(u"reaction_key"_s, payload.value(u"reaction_key"));
    return body;
}

Result<proto::LogEntry> openMessage(QSqlDatabase &db, const proto::LogEntry &entry)
{
    auto state = proto::EncryptedMessageState::decode(entry.body);
    proto::LogEntry opened = entry;
    opened.kind = proto::kinds::kMessage.toString();
    if (!state) {
        opened.body = {{u"text"_s, QString()}, {u"e2e"_s, u"failed"_s}};
        return opened;
    }
    if (state->deleted || state->expired) {
        proto::MessageState gone;
        gone.deleted = state->deleted;
        gone.deletedAt = state->deletedAt;
        gone.expired = state->expired;
        opened.body = gone.encode();
        opened.body.insert(u"e2e"_s, true);
        return opened;
    }
    auto message
        = openCiphertext(db, entry.conversation, entry.sender, state->device, state->ciphertext);
    if (!message)
        return message.error();
    if (message->state == Opened::State::Waiting) {
        if (auto kept = keepWaiting(db, entry, state->device, message->chainId); !kept)
            return kept.error();
        opened.body = {{u"text"_s, QString()}, {u"e2e"_s, u"waiting"_s}};
        return opened;
    }
    if (message->state == Opened::State::Failed
        || !payloadMatches(message->payload, u"message"_s, entry)) {
        opened.body = {{u"text"_s, QString()}, {u"e2e"_s, u"failed"_s}};
        return opened;
    }
    QJsonObject body = messageBody(message->payload);
    // Its latest edit, when it opens and is the sender's edit of this message.
    if (state->edit) {
        auto edit = openCiphertext(db, entry.conversation, entry.sender, state->edit->device,
                                   state->edit->ciphertext);
        if (!edit)
            return edit.error();
        if (edit->state == Opened::State::Open && edit->payload.value(u"t").toString() == u"edit"
            && edit->payload.value(u"target").toString() == entry.clientId) {
            body.insert(u"text"_s, edit->payload.value(u"text").toString());
            body.insert(u"edited_at"_s, state->editedAt);
        }
    }
    const QByteArray reactionKey
        = QByteArray::fromBase64(body.value(u"reaction_key").toString().toLatin1());
    QJsonObject reactions;
    for (auto it = state->reactions.cbegin(); it != state->reactions.cend(); ++it) {
        auto reaction
            = openCiphertext(db, entry.conversation, it->sender, it->device, it->ciphertext);
        if (!reaction)
            return reaction.error();
        const QString emoji = reaction->payload.value(u"emoji").toString();
        if (reaction->state != Opened::State::Open || emoji.isEmpty()
            || reactionTag(reactionKey, emoji) != it.key())
            continue;
        QJsonArray users;
        for (const qint64 user : it->users)
            users.append(user);
        reactions.insert(emoji, users);
    }
    if (!reactions.isEmpty())
        body.insert(u"reactions"_s, reactions);
    opened.body = body;
    return opened;
}

/// An encrypted edit or reaction as the plaintext entry it stands for; the entry as it
/// came (a kind that changes nothing here) when it does not open (yet).
Result<proto::LogEntry> openChange(QSqlDatabase &db, const proto::LogEntry &entry)
{
    const bool edit = entry.is(kEncryptedEdit);
    const QByteArray ciphertext
        = QByteArray::fromBase64(entry.body.value(u"ciphertext").toString().toLatin1());
    const auto device = static_cast<quint32>(entry.body.value(u"device").toInteger());
    if (ciphertext.isEmpty() || device == 0)
        return entry; // gone with its message, or malformed: nothing to show
    auto opened = openCiphertext(db, entry.conversation, entry.sender, device, ciphertext);
    if (!opened)
        return opened.error();
    if (opened->state == Opened::State::Waiting) {
        if (auto kept = keepWaiting(db, entry, device, opened->chainId); !kept)
            return kept.error();
        return entry;
    }
    if (opened->state == Opened::State::Failed
        || !payloadMatches(opened->payload, edit ? u"edit"_s : u"reaction"_s, entry))
        return entry;
    auto target = targetAt(db, entry.conversation, entry.targetSeq);
    if (!target)
        return target.error();
    if (!*target || (*target)->clientId != opened->payload.value(u"target").toString())
        return entry;
    proto::LogEntry plain = entry;
    if (edit) {
        if ((*target)->sender != entry.sender)
            return entry;
        plain.kind = proto::kinds::kEdit.toString();
        plain.body = {{u"text"_s, opened->payload.value(u"text").toString()}};
    } else {
        const QString emoji = opened->payload.value(u"emoji").toString();
        if (emoji.isEmpty()
            || reactionTag((*target)->reactionKey, emoji) != entry.body.value(u"tag").toString())
            return entry;
        plain.kind = proto::kinds::kReaction.toString();
        plain.body = {{u"emoji"_s, emoji}, {u"on"_s, entry.body.value(u"on").toBool(true)}};
    }
    return plain;
}

// --- the outbox -----------------------------------------------------------------------------

struct SealItem
{
    QString type;
    QJsonObject payload;
    qint64 conversation = 0;
};

Result<std::optional<SealItem>> itemToSeal(QSqlDatabase &db, const QString &key)
{
    auto query
        = run(db,
              u"SELECT type, payload, conversation_id FROM outbox WHERE key = ? AND seal = 1 "
              "AND state = 'pending'"_s,
              {key});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<SealItem>();
    auto payload = detail::openPayload(db, key, query->value(1));
    if (!payload)
        return payload.error();
    return std::optional(
        SealItem{query->value(0).toString(), std::move(*payload), query->value(2).toLongLong()});
}

/// The payload to encrypt for `item`, and the request to send instead with the
/// ciphertext to fill in.
struct Plan
{
    QJsonObject plaintext;
    std::function<QJsonObject(const QByteArray &)> sealed;
};

Result<Plan> planFor(QSqlDatabase &db, const SealItem &item, const QString &key)
{
    proto::Limits unlimited;
    unlimited.maxTextBytes = std::numeric_limits<qsizetype>::max();
    QJsonObject plaintext{
        {u"v"_s, 1}, {u"conversation"_s, item.conversation}, {u"client_id"_s, key}};
    if (item.type == QLatin1StringView(proto::SendMessage::kType)) {
        auto send
            = proto::SendMessage::decode(MessageAttachment::forSealing(item.payload), unlimited);
        if (!send)
            return send.error();
        plaintext.insert(u"t"_s, u"message"_s);
        plaintext.insert(u"text"_s, send->text);
        if (send->replyTo > 0) {
            auto target = targetAt(db, item.conversation, send->replyTo);
            if (!target)
                return target.error();
            plaintext.insert(
                u"reply_to"_s,
                QJsonObject{{u"seq"_s, send->replyTo},
                            {u"client_id"_s, *target ? (*target)->clientId : QString()}});
        }
        if (!send->attachments.isEmpty())
            plaintext.insert(u"attachments"_s, send->attachments);
        QByteArray reactionKey(32, '\0');
        randombytes_buf(reactionKey.data(), size_t(reactionKey.size()));
        plaintext.insert(u"reaction_key"_s, QString::fromLatin1(reactionKey.toBase64()));
        QStringList media;
        for (const QJsonValue &attachment : send->attachments) {
            const QString id = attachment.toObject().value(u"media").toString();
            if (!id.isEmpty() && !media.contains(id))
                media.append(id);
        }
        proto::SendMessage base;
        base.conversation = item.conversation;
        base.clientId = key;
        base.media = media;
        return Plan{plaintext, [base](const QByteArray &ciphertext) {
                        proto::SendMessage sealed = base;
                        sealed.ciphertext = ciphertext;
                        return sealed.encode();
                    }};
    }
    if (item.type == QLatin1StringView(proto::EditMessage::kType)
        || item.type == QLatin1StringView(proto::ReactToMessage::kType)) {
        const bool edit = item.type == QLatin1StringView(proto::EditMessage::kType);
        const qint64 seq = item.payload.value(u"seq").toInteger();
        auto target = targetAt(db, item.conversation, seq);
        if (!target)
            return target.error();
        if (!*target)
            return Error{ErrorCode::NotFound, u"the message is not here"_s};
        plaintext.insert(u"target"_s, (*target)->clientId);
        if (edit) {
            auto change = proto::EditMessage::decode(item.payload, unlimited);
            if (!change)
                return change.error();
            plaintext.insert(u"t"_s, u"edit"_s);
            plaintext.insert(u"text"_s, change->text);
            proto::EditMessage base = *change;
            base.text.clear();
            return Plan{plaintext, [base](const QByteArray &ciphertext) {
                            proto::EditMessage sealed = base;
                            sealed.ciphertext = ciphertext;
                            return sealed.encode();
                        }};
        }
        auto change = proto::ReactToMessage::decode(item.payload, unlimited);
        if (!change)
            return change.error();
        if ((*target)->reactionKey.size() != 32)
            return Error{ErrorCode::BadRequest, u"that message cannot take encrypted reactions"_s};
        plaintext.insert(u"t"_s, u"reaction"_s);
        plaintext.insert(u"emoji"_s, change->emoji);
        plaintext.insert(u"on"_s, change->on);
        proto::ReactToMessage base = *change;
        base.tag = reactionTag((*target)->reactionKey, change->emoji);
        base.emoji.clear();
        return Plan{plaintext, [base](const QByteArray &ciphertext) {
                        proto::ReactToMessage sealed = base;
                        sealed.ciphertext = ciphertext;
                        return sealed.encode();
                    }};
    }
    return Error{ErrorCode::BadRequest, u"%1 is not sealed"_s.arg(item.type)};
}

} // namespace

// --- this device ------------------------------------------------------------------------------

Result<Setup> setUp(QSqlDatabase &db, qint64 me, const std::optional<proto::UserDevices> &published,
                    const QString &deviceName)
{
    auto existing = loadSelf(db);
    if (!existing)
        return existing.error();
    Setup setup;
    if (*existing && (*existing)->user != me)
        return Error{ErrorCode::Conflict, u"this store holds another user's keys"_s};
    if (!*existing) {
        if (published)
            return Error{ErrorCode::Forbidden,
                         u"this account already has end-to-end keys on another device: link "
                         "this device from there"_s};
        crypto::SigningKeyPair identity = crypto::SigningKeyPair::generate();
        quint32 deviceId = 0;
        while (deviceId == 0)
            deviceId = randombytes_random();
        auto device = crypto::DeviceKeys::create(identity, userIdString(me), deviceId,
                                                 crypto::SigningKeyPair::generate());
        if (!device)
            return device.error();
        crypto::SignedPreKey signedPreKey = crypto::SignedPreKey::generate(device->keyPair, 1);
        Self self{me, identity, std::move(*device), std::move(signedPreKey), 1, 1};
        auto oneTime = newOneTimePreKeys(db, self, kOneTimePreKeys);
        if (!oneTime)
            return oneTime.error();
        if (auto saved = saveSelf(db, self); !saved)
            return saved.error();
        setup.newIdentity = true;
        setup.prekeys = proto::UploadPreKeys{publicInfo(self.signedPreKey), *oneTime};
        *existing = std::move(self);
    } else if (published && published->identityKey != (*existing)->identity.publicKey()) {
        return Error{ErrorCode::Conflict,
                     u"this account's keys were reset on another device: sign in again"_s};
    }
    const Self &self = **existing;
    // The list this device publishes when there is none, or its version is newer.
    auto list
        = crypto::DeviceList::sign(self.identity, userIdString(me), quint64(self.listVersion),
                                   {{self.device.deviceId(), self.device.keyPair.publicKey()}});
    if (!list)
        return list.error();
    setup.identityKey = self.identity.publicKey();
    setup.listVersion = self.listVersion;
    setup.list = list->encode();
    setup.registration = {self.device.deviceId(), self.device.keyPair.publicKey(),
                          self.device.certificate.encode(), deviceName};
    return setup;
}

Result<LinkGrant> grantLink(QSqlDatabase &db, qint64 me,
                            const std::optional<proto::UserDevices> &published,
                            const QByteArray &deviceKey, quint32 deviceId)
{
    auto self = requireSelf(db);
    if (!self)
        return self.error();
    QList<crypto::DeviceListEntry> entries{
        {self->device.deviceId(), self->device.keyPair.publicKey()}};
    qint64 version = self->listVersion;
    if (published) {
        auto list = crypto::DeviceList::decode(published->list);
        if (published->identityKey != self->identity.publicKey() || !list
            || !list->verify(self->identity.publicKey()))
            return Error{ErrorCode::Conflict,
                         u"the account's keys on the server are not this device's"_s};
        entries = list->devices;
        version = std::max(version, qint64(list->version));
    }
    for (const crypto::DeviceListEntry &entry : std::as_const(entries)) {
        if (entry.deviceId == deviceId)
            return Error{ErrorCode::Conflict, u"another device has that id"_s};
    }
    entries.append({deviceId, deviceKey});
    auto certificate
        = crypto::DeviceCertificate::issue(self->identity, userIdString(me), deviceId, deviceKey);
    if (!certificate)
        return certificate.error();
    auto list
        = crypto::DeviceList::sign(self->identity, userIdString(me), quint64(version + 1), entries);
    if (!list)
        return list.error();
    self->listVersion = version + 1;
    if (auto saved = saveSelf(db, *self); !saved)
        return saved.error();
    const crypto::LinkCompletion completion{self->identity, *certificate, *list, {}, 0, {}, {}};
    return LinkGrant{completion.encode(), self->identity.publicKey(), self->listVersion,
                     list->encode()};
}

Result<QByteArray> listWithout(QSqlDatabase &db, qint64 me, const proto::UserDevices &published,
                               quint32 device)
{
    auto self = requireSelf(db);
    if (!self)
        return self.error();
    if (device == self->device.deviceId())
        return Error{ErrorCode::BadRequest, u"sign out to remove this device"_s};
    auto list = crypto::DeviceList::decode(published.list);
    if (published.identityKey != self->identity.publicKey() || !list
        || !list->verify(self->identity.publicKey()))
        return Error{ErrorCode::Conflict,
                     u"the account's keys on the server are not this device's"_s};
    QList<crypto::DeviceListEntry> entries;
    for (const crypto::DeviceListEntry &entry : std::as_const(list->devices)) {
        if (entry.deviceId != device)
            entries.append(entry);
    }
    if (entries.size() == list->devices.size())
        return Error{ErrorCode::NotFound, u"no such device"_s};
    const qint64 version = std::max(self->listVersion, qint64(list->version)) + 1;
    auto signedList
        = crypto::DeviceList::sign(self->identity, userIdString(me), quint64(version), entries);
    if (!signedList)
        return signedList.error();
    self->listVersion = version;
    if (auto saved = saveSelf(db, *self); !saved)
        return saved.error();
    return signedList->encode();
}

Result<Setup> adoptLink(QSqlDatabase &db, qint64 me, const QByteArray &completion,
                        const QByteArray &deviceKeyPair, const QString &deviceName,
                        const QByteArray &publishedIdentity)
{
    auto existing = loadSelf(db);
    if (!existing)
        return existing.error();
    if (*existing)
        return Error{ErrorCode::Conflict, u"this device has keys already"_s};
    auto linked = crypto::LinkCompletion::decode(completion);
    if (!linked)
        return linked.error();
    auto keyPair = crypto::SigningKeyPair::deserialise(deviceKeyPair);
    if (!keyPair)
        return keyPair.error();
    if (linked->certificate.userId != userIdString(me)
        || linked->certificate.deviceKey != keyPair->publicKey()
        || linked->identity.publicKey() != publishedIdentity)
        return Error{ErrorCode::BadRequest, u"the linking device sent keys for another device"_s};
    auto device = crypto::DeviceKeys::create(linked->identity, userIdString(me),
                                             linked->certificate.deviceId, *keyPair);
    if (!device)
        return device.error();
    crypto::SignedPreKey signedPreKey = crypto::SignedPreKey::generate(device->keyPair, 1);
    Self self{me,
              linked->identity,
              std::move(*device),
              std::move(signedPreKey),
              qint64(linked->list.version),
              1};
    auto oneTime = newOneTimePreKeys(db, self, kOneTimePreKeys);
    if (!oneTime)
        return oneTime.error();
    if (auto saved = saveSelf(db, self); !saved)
        return saved.error();
    Setup setup;
    setup.identityKey = self.identity.publicKey();
    setup.listVersion = self.listVersion;
    setup.list = linked->list.encode();
    setup.registration = {self.device.deviceId(), self.device.keyPair.publicKey(),
                          self.device.certificate.encode(), deviceName};
    setup.prekeys = proto::UploadPreKeys{publicInfo(self.signedPreKey), *oneTime};
    return setup;
}

Result<void> forgetDevice(QSqlDatabase &db)
{
    for (const char *table : {"e2e_self", "e2e_prekeys", "e2e_retired_prekeys", "e2e_identities",
                              "e2e_devices", "e2e_sessions", "e2e_chains_out", "e2e_chain_holders",
                              "e2e_chains_in", "e2e_opened", "e2e_waiting"}) {
        if (auto cleared = run(db, u"DELETE FROM "_s + QLatin1StringView(table)); !cleared)
            return cleared.error();
    }
    if (auto cursor
        = run(db, u"DELETE FROM account WHERE key = ?"_s, {QString::fromLatin1(kInboxCursor)});
        !cursor)
        return cursor.error();
    return {};
}

Result<std::optional<proto::UploadPreKeys>>
prekeysToUpload(QSqlDatabase &db, const proto::PreKeyCount &count, qint64 at)
{
    auto self = requireSelf(db);
    if (!self)
        return self.error();
    if (auto purged = run(db, u"DELETE FROM e2e_retired_prekeys WHERE retired_at < ?"_s,
                          {at - kRetiredSignedPreKeyKept});
        !purged)
        return purged.error();

    std::optional<proto::SignedPreKeyInfo> signedPreKey;
    if (count.signedPreKey != self->signedPreKey.id) {
        signedPreKey = publicInfo(self->signedPreKey); // the relay lost it, or holds another
    } else if (at - count.signedPreKeyAt.value_or(at) >= kSignedPreKeyLifetime) {
        const crypto::SignedPreKey &old = self->signedPreKey;
        auto secret = keep(db, "e2e_retired_prekeys", "secret", rowKey({old.id}), old.serialise());
        if (!secret)
            return secret.error();
        if (auto retired = run(db,
                               u"INSERT INTO e2e_retired_prekeys (id, secret, retired_at) "
                               "VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET secret = "
                               "excluded.secret, retired_at = excluded.retired_at"_s,
                               {qint64(old.id), *secret, at});
            !retired)
            return retired.error();
        const quint32 next = old.id == std::numeric_limits<quint32>::max() ? 1 : old.id + 1;
        self->signedPreKey = crypto::SignedPreKey::generate(self->device.keyPair, next);
        signedPreKey = publicInfo(self->signedPreKey);
    }

    QList<proto::OneTimePreKeyInfo> oneTime;
    if (count.count < crypto::kOneTimePreKeyRefillBelow) {
        auto made = newOneTimePreKeys(db, *self, int(kOneTimePreKeys - count.count));
        if (!made)
            return made.error();
        oneTime = std::move(*made);
    }
    if (!signedPreKey && oneTime.isEmpty())
        return std::optional<proto::UploadPreKeys>();
    if (auto saved = saveSelf(db, *self); !saved)
        return saved.error();
    return std::optional(proto::UploadPreKeys{signedPreKey, oneTime});
}

Result<quint32> deviceId(QSqlDatabase &db)
{
    auto self = loadSelf(db);
    if (!self)
        return self.error();
    return *self ? (*self)->device.deviceId() : 0u;
}

// --- other users' devices --------------------------------------------------------------------

namespace {

/// `user`'s devices came under `identityKey`, another key than the trusted one: unless that
/// change is known already (and waits for the user), a line in each conversation with them.
Result<void> noteKeyChange(QSqlDatabase &db, qint64 user, const QByteArray &identityKey)
{
    auto waiting = run(db, u"SELECT changed_key FROM e2e_identities WHERE user_id = ?"_s, {user});
    if (!waiting)
        return waiting.error();
    const bool known = waiting->next() && waiting->value(0).toByteArray() == identityKey;
    waiting->finish();
    if (known)
        return {};
    if (auto noted = detail::noteKeyChange(db, user, now()); !noted)
        return noted.error();
    return {};
}

} // namespace

Result<QList<qint64>> storeDevices(QSqlDatabase &db, qint64 me,
                                   const QList<proto::UserDevices> &users)
{
    QList<qint64> changed;
    for (const proto::UserDevices &user : users) {
        auto trusted = trustedIdentity(db, user.user);
        if (!trusted)
            return trusted.error();
        if (user.user == me) {
            auto self = loadSelf(db);
            if (!self)
                return self.error();
            if (*self)
                *trusted = (*self)->identity.publicKey();
        }
        if (*trusted && **trusted != user.identityKey) {
            // Another identity: keep the old devices, wait for the user to acknowledge. The
            // first time this key comes, each conversation with them says so in its history.
            if (user.user != me) {
                auto noted = noteKeyChange(db, user.user, user.identityKey);
                if (!noted)
                    return noted.error();
            }
            auto marked = run(db,
                              u"UPDATE e2e_identities SET changed_key = ?, known = 1, "
                              "verified = 0 WHERE user_id = ?"_s,
                              {user.identityKey, user.user});
            if (!marked)
                return marked.error();
            changed.append(user.user);
            continue;
        }
        auto list = crypto::DeviceList::decode(user.list);
        if (!list || !list->verify(user.identityKey) || list->userId != userIdString(user.user)) {
            continue; // not signed by the identity: nothing of it is used
        }
        auto seen
            = run(db, u"SELECT list_version FROM e2e_identities WHERE user_id = ?"_s, {user.user});
        if (!seen)
            return seen.error();
        if (seen->next() && seen->value(0).toLongLong() > qint64(list->version))
            continue; // an older list than one seen before
        seen->finish();
        if (auto stored = run(db,
                              u"INSERT INTO e2e_identities (user_id, identity_key, list_version, "
                              "known) VALUES (?, ?, ?, 1) ON CONFLICT (user_id) DO UPDATE SET "
                              "list_version = excluded.list_version, known = 1"_s,
                              {user.user, user.identityKey, qint64(list->version)});
            !stored)
            return stored.error();
        if (auto cleared = run(db, u"DELETE FROM e2e_devices WHERE user_id = ?"_s, {user.user});
            !cleared)
            return cleared.error();
        for (const proto::DeviceInfo &device : user.devices) {
            const auto listed = list->deviceKey(device.id);
            if (!listed || *listed != device.key)
                continue; // registered but not in the signed list: never encrypted to
            if (auto added = run(db,
                                 u"INSERT INTO e2e_devices (user_id, device_id, device_key) "
                                 "VALUES (?, ?, ?)"_s,
                                 {user.user, qint64(device.id), device.key});
                !added)
                return added.error();
        }
        changed.append(user.user);
    }
    return changed;
}

Result<void> devicesChanged(QSqlDatabase &db, qint64 user)
{
    auto marked = run(db, u"UPDATE e2e_identities SET known = 0 WHERE user_id = ?"_s, {user});
    if (!marked)
        return marked.error();
    return {};
}

Result<QList<qint64>> usersToLookUp(QSqlDatabase &db, qint64 conversation)
{
    return userIds(db,
                   u"SELECT m.user_id FROM members m LEFT JOIN e2e_identities i ON i.user_id = "
                   "m.user_id WHERE m.conversation_id = ? AND (i.user_id IS NULL OR i.known = 0)"_s,
                   {conversation});
}

// --- trust ----------------------------------------------------------------------------------

Result<Trust> trustOf(QSqlDatabase &db, qint64 me, qint64 user)
{
    Trust trust;
    trust.user = user;
    auto query = run(db,
                     u"SELECT identity_key, verified, changed_key IS NOT NULL, changed_key FROM "
                     "e2e_identities WHERE user_id = ?"_s,
                     {user});
    if (!query)
        return query.error();
    if (!query->next())
        return trust;
    const QByteArray theirs = query->value(0).toByteArray();
    trust.known = true;
    trust.verified = query->value(1).toBool();
    trust.changed = query->value(2).toBool();
    const QByteArray changedKey = query->value(3).toByteArray();
    query->finish();
    auto self = loadSelf(db);
    if (!self)
        return self.error();
    if (!*self)
        return trust;
    auto number = crypto::safetyNumber(userIdString(me), (*self)->identity.publicKey(),
                                       userIdString(user), theirs);
    if (number) {
        trust.safetyNumber = number->displayText();
        trust.qrPayload = number->qrPayload;
    }
    if (trust.changed) {
        if (auto changed = crypto::safetyNumber(userIdString(me), (*self)->identity.publicKey(),
                                                userIdString(user), changedKey))
            trust.changedSafetyNumber = changed->displayText();
    }
    return trust;
}

Result<QList<qint64>> changedIdentities(QSqlDatabase &db)
{
    return userIds(
        db, u"SELECT user_id FROM e2e_identities WHERE changed_key IS NOT NULL ORDER BY 1"_s);
}

Result<bool> acknowledgeIdentity(QSqlDatabase &db, qint64 user)
{
    auto taken = run(db,
                     u"UPDATE e2e_identities SET identity_key = changed_key, changed_key = NULL, "
                     "verified = 0, known = 0, list_version = 0 WHERE user_id = ? AND "
                     "changed_key IS NOT NULL"_s,
                     {user});
    if (!taken)
        return taken.error();
    if (taken->numRowsAffected() == 0)
        return false;
    // Their old devices, and the sessions with them, go: the new ones are looked up. The
    // old devices stay chain holders, so every chain they had is rotated before it sends
    // again.
    for (const QString &statement : {u"DELETE FROM e2e_devices WHERE user_id = ?"_s,
                                     u"DELETE FROM e2e_sessions WHERE user_id = ?"_s}) {
        if (auto done = run(db, statement, {user}); !done)
            return done.error();
    }
    return true;
}

Result<void> setVerified(QSqlDatabase &db, qint64 user, bool verified)
{
    auto marked = run(db,
                      u"UPDATE e2e_identities SET verified = ? WHERE user_id = ? AND "
                      "changed_key IS NULL"_s,
                      {verified ? 1 : 0, user});
    if (!marked)
        return marked.error();
    return {};
}

// --- sealing --------------------------------------------------------------------------------

Result<void> askToSeal(QSqlDatabase &db, const QString &key)
{
    auto marked = run(db, u"UPDATE outbox SET seal = 1 WHERE key = ?"_s, {key});
    if (!marked)
        return marked.error();
    return {};
}

Result<bool> sealIfEncrypted(QSqlDatabase &db, const OutboxItem &item)
{
    if (item.type != QLatin1StringView(proto::EditMessage::kType)
        && item.type != QLatin1StringView(proto::ReactToMessage::kType))
        return false;
    auto query = run(db, u"SELECT id, body FROM messages WHERE conversation_id = ? AND seq = ?"_s,
                     {item.conversationId, item.payload.value(u"seq").toInteger()});
    if (!query)
        return query.error();
    if (!query->next())
        return false;
    // The body is sealed at rest: opened here, not read by SQL.
    const auto body = detail::openBody(db, "body", query->value(0).toLongLong(), query->value(1));
    query->finish();
    if (!body)
        return body.error();
    if (body->value(u"e2e") != QJsonValue(true))
        return false;
    if (auto asked = askToSeal(db, item.key); !asked)
        return asked.error();
    return true;
}

Result<SealNeeds> sealNeeds(QSqlDatabase &db, const QString &key, qint64 me)
{
    SealNeeds needs;
    auto item = itemToSeal(db, key);
    if (!item)
        return item.error();
    if (!*item)
        return needs;
    auto lookUp = usersToLookUp(db, (*item)->conversation);
    if (!lookUp)
        return lookUp.error();
    needs.lookUp = *lookUp;
    auto changed = userIds(db,
                           u"SELECT i.user_id FROM e2e_identities i JOIN members m ON m.user_id "
                           "= i.user_id WHERE m.conversation_id = ? AND i.changed_key IS NOT "
                           "NULL"_s,
                           {(*item)->conversation});
    if (!changed)
        return changed.error();
    needs.changed = *changed;
    auto self = requireSelf(db);
    if (!self)
        return self.error();
    auto members = membersOf(db, (*item)->conversation);
    if (!members)
        return members.error();
    auto devices = devicesOf(db, *members);
    if (!devices)
        return devices.error();
    auto holders = chainHolders(db, (*item)->conversation);
    if (!holders)
        return holders.error();
    for (const DeviceRef &device : std::as_const(*devices)) {
        if ((device.user == me && device.device == self->device.deviceId())
            || holders->contains(device))
            continue;
        auto has = hasSession(db, device);
        if (!has)
            return has.error();
        if (!*has)
            needs.claim.append({device.user, device.device});
    }
    return needs;
}

Result<bool> seal(QSqlDatabase &db, const QString &key, qint64 me,
                  const QList<proto::PreKeyBundleInfo> &bundles)
{
    auto item = itemToSeal(db, key);
    if (!item)
        return item.error();
    if (!*item)
        return false;
    auto self = requireSelf(db);
    if (!self)
        return self.error();
    const qint64 conversation = (*item)->conversation;
    for (const proto::PreKeyBundleInfo &bundle : bundles) {
        auto has = hasSession(db, {bundle.user, bundle.device});
        if (!has)
            return has.error();
        if (*has)
            continue;
        // A bundle that does not verify opens no session; that device goes without.
        if (auto started = startSessionFrom(db, *self, bundle); !started
            && started.error().code != ErrorCode::Forbidden
            && started.error().code != ErrorCode::Unauthorized
            && started.error().code != ErrorCode::BadRequest)
            return started.error();
    }

    auto members = membersOf(db, conversation);
    if (!members)
        return members.error();
    auto devices = devicesOf(db, *members);
    if (!devices)
        return devices.error();
    const QSet<DeviceRef> current(devices->cbegin(), devices->cend());
    auto chain = ownChain(db, conversation);
    if (!chain)
        return chain.error();
    auto holders = chainHolders(db, conversation);
    if (!holders)
        return holders.error();
    // A device that holds the chain and is no longer a member's: a new chain, which it
    // never gets.
    bool rotate = !*chain;
    for (const DeviceRef &holder : std::as_const(*holders))
        rotate = rotate || !current.contains(holder);
    if (rotate) {
        *chain = *chain ? (*chain)->rotated()
                        : crypto::SenderChain::create(conversation, randombytes_random());
        holders->clear();
        if (auto cleared
            = run(db, u"DELETE FROM e2e_chain_holders WHERE conversation_id = ?"_s, {conversation});
            !cleared)
            return cleared.error();
    }
    crypto::SenderChain &sending = **chain;
    // A new chain as it is made: a linked device reads this device's history with it.
    const QByteArray firstChain = rotate ? sending.serialise() : QByteArray();

    // The chain, as it is now, to every member device that lacks it.
    QByteArray distribution(1, kSenderKeyPayload);
    distribution.append(sending.distribution().encode());
    proto::SendToInbox inbox;
    inbox.clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    for (const DeviceRef &device : std::as_const(*devices)) {
        if ((device.user == me && device.device == self->device.deviceId())
            || holders->contains(device))
            continue;
        auto body = encryptFor(db, device, distribution);
        if (!body) {
            if (body.error().code == ErrorCode::NotFound)
                continue; // no session (no bundle came): it asks for the key later
            return body.error();
        }
        inbox.messages.append({device.user, device.device, *body});
        if (auto held = run(db,
                            u"INSERT OR IGNORE INTO e2e_chain_holders (conversation_id, user_id, "
                            "device_id) VALUES (?, ?, ?)"_s,
                            {conversation, device.user, qint64(device.device)});
            !held)
            return held.error();
    }
    crypto::wipe(distribution);

    auto plan = planFor(db, **item, key);
    if (!plan)
        return plan.error();
    const QByteArray plaintext = pad(QJsonDocument(plan->plaintext).toJson(QJsonDocument::Compact));
    auto ciphertext = sending.encrypt(plaintext);
    if (!ciphertext)
        return ciphertext.error();
    if (auto saved = saveOwnChain(db, sending, firstChain); !saved)
        return saved.error();
    // This device reads what it sent from here (it holds no receiving copy of its chain).
    if (auto cached = cachePayload(
            db, digestOf(conversation, me, self->device.deviceId(), *ciphertext), plan->plaintext);
        !cached)
        return cached.error();
    if ((*item)->type == QLatin1StringView(proto::SendMessage::kType)) {
        // The reaction key shows in this device's copy, so its own reactions find it.
        auto queued = run(
            db, u"SELECT id, body FROM messages WHERE client_id = ? AND seq IS NULL"_s, {key});
        if (!queued)
            return queued.error();
        QList<std::pair<qint64, QVariant>> rows;
        while (queued->next())
            rows.append({queued->value(0).toLongLong(), queued->value(1)});
        queued->finish();
        for (const auto &[id, stored] : std::as_const(rows)) {
            auto body = detail::openBody(db, "body", id, stored);
            if (!body)
                return body.error();
            body->insert(u"reaction_key"_s, plan->plaintext.value(u"reaction_key").toString());
            body->insert(u"e2e"_s, true);
            const auto keptBody = detail::keepBody(db, "body", id, *body);
            if (!keptBody)
                return keptBody.error();
            if (auto kept
                = run(db, u"UPDATE messages SET body = ? WHERE id = ?"_s, {*keptBody, id});
                !kept)
                return kept.error();
        }
    }

    // After the distribution this message needs, or else after one still on its way (an
    // earlier message's, which this chain's keys may be in).
    QString afterKey;
    if (inbox.messages.isEmpty()) {
        auto earlier = run(db,
                           u"SELECT key FROM outbox WHERE conversation_id = ? AND type = ? "
                           "ORDER BY id DESC LIMIT 1"_s,
                           {conversation, QString::fromLatin1(proto::SendToInbox::kType)});
        if (!earlier)
            return earlier.error();
        if (earlier->next())
            afterKey = earlier->value(0).toString();
    } else {
        afterKey = inbox.clientId;
        const auto keptInbox = detail::keepPayload(db, inbox.clientId, inbox.encode());
        if (!keptInbox)
            return keptInbox.error();
        if (auto queued = run(db,
                              u"INSERT INTO outbox (key, type, payload, conversation_id, "
                              "created_at) VALUES (?, ?, ?, ?, ?)"_s,
                              {inbox.clientId, QString::fromLatin1(proto::SendToInbox::kType),
                               *keptInbox, conversation, now()});
            !queued)
            return queued.error();
    }
    const auto keptSealed = detail::keepPayload(db, key, plan->sealed(*ciphertext));
    if (!keptSealed)
        return keptSealed.error();
    auto sealed = run(db, u"UPDATE outbox SET payload = ?, seal = 2, after_key = ? WHERE key = ?"_s,
                      {*keptSealed, afterKey.isEmpty() ? QVariant() : QVariant(afterKey), key});
    if (!sealed)
        return sealed.error();
    return true;
}

namespace {

/// Opens what waited for the chain `key`, now that it is here; notes their conversations.
Result<void> reopenWaiting(QSqlDatabase &db, const ChainKey &key, qint64 me,
                           QList<qint64> &conversations)
{
    auto waiting = run(db,
                       u"SELECT entry, seq FROM e2e_waiting WHERE conversation_id = ? AND "
                       "user_id = ? AND device_id = ? AND chain_id = ? ORDER BY seq"_s,
                       key.values());
    if (!waiting)
        return waiting.error();
    QList<proto::LogEntry> entries;
    while (waiting->next()) {
        auto bytes
            = kept(db, "e2e_waiting", "entry",
                   rowKey({key.conversation, waiting->value(1).toLongLong()}), waiting->value(0));
        if (!bytes)
            return bytes.error();
        if (auto entry = proto::LogEntry::decode(QJsonDocument::fromJson(*bytes).object()))
            entries.append(*entry);
    }
    waiting->finish();
    for (const proto::LogEntry &entry : std::as_const(entries)) {
        if (auto done = run(db, u"DELETE FROM e2e_waiting WHERE conversation_id = ? AND seq = ?"_s,
                            {entry.conversation, entry.seq});
            !done)
            return done.error();
        auto opened = open(db, entry, me);
        if (!opened)
            return opened.error();
        if (auto applied = detail::applyOpened(db, *opened, me); !applied)
            return applied.error();
        if (!conversations.contains(entry.conversation))
            conversations.append(entry.conversation);
    }
    return {};
}

/// A pairwise payload of history keys: u32 count, then each chain as i64 conversation,
/// i64 user, u32 device, u32 chain id, u16 length and the received chain as it was first
/// held (its earliest iteration).
constexpr char kHistoryPayload = 0x02;
/// History keys per pairwise message: well under the inbox's 64 KiB a body.
constexpr qsizetype kHistoryBytes = 40 * 1024;

struct HistoryKey
{
    ChainKey key;
    QByteArray state; ///< crypto::ReceivedSenderChain, serialised
};

void putU32(QByteArray &out, quint32 value)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.append(char((value >> shift) & 0xff));
}

void putI64(QByteArray &out, qint64 value)
{
    const auto bits = quint64(value);
    for (int shift = 56; shift >= 0; shift -= 8)
        out.append(char((bits >> shift) & 0xff));
}

quint64 readBits(QByteArrayView data, qsizetype &at, int bytes, bool &ok)
{
    if (at + bytes > data.size()) {
        ok = false;
        return 0;
    }
    quint64 value = 0;
    for (int i = 0; i < bytes; ++i)
        value = (value << 8) | quint8(data[at + i]);
    at += bytes;
    return value;
}

/// Every chain this device can read history with: the first state of each received chain,
/// and each of its own chains as it was made.
Result<QList<HistoryKey>> historyKeys(QSqlDatabase &db, qint64 me, quint32 myDevice)
{
    QList<HistoryKey> keys;
    auto received = run(db,
                        u"SELECT conversation_id, user_id, device_id, chain_id, first_state FROM "
                        "e2e_chains_in WHERE first_state IS NOT NULL"_s);
    if (!received)
        return received.error();
    while (received->next()) {
        const ChainKey key{received->value(0).toLongLong(), received->value(1).toLongLong(),
                           static_cast<quint32>(received->value(2).toLongLong()),
                           static_cast<quint32>(received->value(3).toLongLong())};
        auto state = kept(db, "e2e_chains_in", "first_state", key.row(), received->value(4));
        if (!state)
            return state.error();
        keys.append({key, *state});
    }
    received->finish();
    auto own = run(db,
                   u"SELECT conversation_id, first_chain FROM e2e_chains_out WHERE "
                   "first_chain IS NOT NULL"_s);
    if (!own)
        return own.error();
    while (own->next()) {
        const qint64 conversation = own->value(0).toLongLong();
        auto bytes
            = kept(db, "e2e_chains_out", "first_chain", rowKey({conversation}), own->value(1));
        if (!bytes)
            return bytes.error();
        auto chain = crypto::SenderChain::deserialise(*bytes);
        if (!chain)
            return corrupt(u"sender chain"_s, chain.error());
        auto asReceived = crypto::ReceivedSenderChain::fromDistribution(chain->distribution());
        if (!asReceived)
            return asReceived.error();
        keys.append({{conversation, me, myDevice, chain->chainId()}, asReceived->serialise()});
    }
    return keys;
}

} // namespace

Result<bool> sealHistory(QSqlDatabase &db, qint64 me, const proto::PreKeyBundleInfo &bundle)
{
    auto self = requireSelf(db);
    if (!self)
        return self.error();
    if (bundle.user != me || bundle.device == self->device.deviceId())
        return Error{ErrorCode::BadRequest, u"history goes to this user's other devices"_s};
    const DeviceRef to{bundle.user, bundle.device};
    auto has = hasSession(db, to);
    if (!has)
        return has.error();
    if (!*has) {
        if (auto started = startSessionFrom(db, *self, bundle); !started)
            return started.error();
    }
    auto keys = historyKeys(db, me, self->device.deviceId());
    if (!keys)
        return keys.error();
    if (keys->isEmpty())
        return false;
    QList<QByteArray> payloads;
    QByteArray current;
    quint32 count = 0;
    const auto flush = [&] {
        if (count == 0)
            return;
        QByteArray payload(1, kHistoryPayload);
        putU32(payload, count);
        payload.append(current);
        payloads.append(payload);
        crypto::wipe(current);
        count = 0;
    };
    for (const HistoryKey &history : std::as_const(*keys)) {
        if (current.size() + history.state.size() + 32 > kHistoryBytes)
            flush();
        putI64(current, history.key.conversation);
        putI64(current, history.key.user);
        putU32(current, history.key.device);
        putU32(current, history.key.chainId);
        current.append(char((history.state.size() >> 8) & 0xff));
        current.append(char(history.state.size() & 0xff));
        current.append(history.state);
        ++count;
    }
    flush();
    for (QByteArray &payload : payloads) {
        auto body = encryptFor(db, to, payload);
        crypto::wipe(payload);
        if (!body)
            return body.error();
        proto::SendToInbox inbox;
        inbox.clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        inbox.messages.append({to.user, to.device, *body});
        const auto keptInbox = detail::keepPayload(db, inbox.clientId, inbox.encode());
        if (!keptInbox)
            return keptInbox.error();
        if (auto queued = run(db,
                              u"INSERT INTO outbox (key, type, payload, conversation_id, "
                              "created_at) VALUES (?, ?, ?, 0, ?)"_s,
                              {inbox.clientId, QString::fromLatin1(proto::SendToInbox::kType),
                               *keptInbox, now()});
            !queued)
            return queued.error();
    }
    return true;
}

// --- the device inbox -------------------------------------------------------------------------

Result<qint64> inboxCursor(QSqlDatabase &db)
{
    auto query = run(db, u"SELECT value FROM account WHERE key = ?"_s,
                     {QString::fromLatin1(kInboxCursor)});
    if (!query)
        return query.error();
    return query->next() ? query->value(0).toLongLong() : qint64(0);
}

Result<QList<qint64>> unknownSenders(QSqlDatabase &db, const QList<proto::InboxMessage> &messages)
{
    QList<qint64> users;
    for (const proto::InboxMessage &message : messages) {
        auto key = deviceKeyOf(db, {message.user, message.device});
        if (!key)
            return key.error();
        if (!*key && !users.contains(message.user))
            users.append(message.user);
    }
    return users;
}

Result<Received> receive(QSqlDatabase &db, const proto::InboxMessage &message, qint64 me)
{
    Received received;
    auto cursor = inboxCursor(db);
    if (!cursor)
        return cursor.error();
    if (message.seq <= *cursor)
        return received;
    auto moved = local::setAccountValue(db, QString::fromLatin1(kInboxCursor),
                                        QString::number(message.seq));
    if (!moved)
        return moved.error();
    auto self = requireSelf(db);
    if (!self)
        return self.error();
    const DeviceRef from{message.user, message.device};
    auto theirKey = deviceKeyOf(db, from);
    if (!theirKey)
        return theirKey.error();
    if (!*theirKey)
        return received; // not a device of theirs this one trusts: dropped

    // The sessions with that device, tried in turn on a ratchet message: the one that
    // opens it is kept.
    auto openWithSessions = [&db, &from](QByteArrayView ratchetMessage,
                                         bool answered) -> Result<std::optional<QByteArray>> {
        auto sessions = sessionsWith(db, from);
        if (!sessions)
            return sessions.error();
        for (StoredSession &stored : *sessions) {
            auto decrypted = stored.session.decrypt(ratchetMessage);
            if (!decrypted)
                continue;
            if (answered)
                stored.header.clear(); // they answered: no more prekey messages
            if (auto saved = saveSession(db, from, stored); !saved)
                return saved.error();
            return std::optional(std::move(*decrypted));
        }
        return std::optional<QByteArray>();
    };

    QByteArray plaintext;
    if (!message.body.isEmpty() && message.body.front() == kPreKeyMessageByte) {
        auto prekeyMessage = crypto::PreKeyMessage::decode(message.body);
        if (!prekeyMessage)
            return received;
        // Until this device answers, every message of a session it accepted carries the
        // X3DH header: the session it opened opens the rest. A replay fails there too (its
        // message key is gone) and then finds its one-time prekey gone.
        auto existing = openWithSessions(prekeyMessage->message, false);
        if (!existing)
            return existing.error();
        if (*existing) {
            plaintext = std::move(**existing);
        } else {
            // The signed prekey it names: the current one, or one retired lately.
            std::optional<crypto::SignedPreKey> retired;
            if (const quint32 id = prekeyMessage->header.signedPreKeyId;
                id != self->signedPreKey.id) {
                auto query = run(db, u"SELECT secret FROM e2e_retired_prekeys WHERE id = ?"_s,
                                 {qint64(id)});
                if (!query)
                    return query.error();
                if (!query->next())
                    return received; // a signed prekey this device no longer has
                auto secret
                    = kept(db, "e2e_retired_prekeys", "secret", rowKey({id}), query->value(0));
                if (!secret)
                    return secret.error();
                auto key = crypto::SignedPreKey::deserialise(*secret);
                if (!key)
                    return corrupt(u"retired signed prekey"_s, key.error());
                retired = std::move(*key);
            }
            const crypto::SignedPreKey &signedPreKey = retired ? *retired : self->signedPreKey;
            std::optional<crypto::OneTimePreKey> oneTime;
            if (const auto id = prekeyMessage->header.oneTimePreKeyId) {
                auto query
                    = run(db, u"SELECT secret FROM e2e_prekeys WHERE id = ?"_s, {qint64(*id)});
                if (!query)
                    return query.error();
                if (!query->next())
                    return received; // used already: a replay
                auto secret = kept(db, "e2e_prekeys", "secret", rowKey({*id}), query->value(0));
                if (!secret)
                    return secret.error();
                auto key = crypto::OneTimePreKey::deserialise(*secret);
                if (!key)
                    return corrupt(u"one-time prekey"_s, key.error());
                oneTime = std::move(*key);
            }
            auto accepted = crypto::acceptSession(self->device.keyPair, signedPreKey, oneTime,
                                                  *prekeyMessage, **theirKey);
            if (!accepted)
                return received;
            if (oneTime) {
                if (auto used
                    = run(db, u"DELETE FROM e2e_prekeys WHERE id = ?"_s, {qint64(oneTime->id)});
                    !used)
                    return used.error();
            }
            if (auto saved = saveSession(db, from, {0, std::move(accepted->session), {}}); !saved)
                return saved.error();
            plaintext = std::move(accepted->plaintext);
        }
    } else {
        auto opened = openWithSessions(message.body, true);
        if (!opened)
            return opened.error();
        if (!*opened)
            return received;
        plaintext = std::move(**opened);
    }

    if (!plaintext.isEmpty() && plaintext.front() == kHistoryPayload) {
        // History keys come only from this user's own devices (docs/encryption.md, 3).
        if (message.user != me)
            return received;
        const QByteArrayView data(plaintext);
        qsizetype at = 1;
        bool ok = true;
        const auto count = quint32(readBits(data, at, 4, ok));
        for (quint32 i = 0; ok && i < count; ++i) {
            ChainKey key;
            key.conversation = qint64(readBits(data, at, 8, ok));
            key.user = qint64(readBits(data, at, 8, ok));
            key.device = quint32(readBits(data, at, 4, ok));
            key.chainId = quint32(readBits(data, at, 4, ok));
            const auto size = qsizetype(readBits(data, at, 2, ok));
            if (!ok || at + size > data.size())
                break;
            auto chain = crypto::ReceivedSenderChain::deserialise(data.sliced(at, size));
            at += size;
            if (!chain || chain->conversationId() != key.conversation
                || chain->chainId() != key.chainId)
                continue;
            auto existing = receivedChain(db, key);
            if (!existing)
                return existing.error();
            if (*existing && (*existing)->firstIteration() <= chain->firstIteration())
                continue; // the one held reaches as far back
            if (auto saved = saveReceivedChain(db, key, *chain, true); !saved)
                return saved.error();
            if (auto reopened = reopenWaiting(db, key, me, received.conversations); !reopened)
                return reopened.error();
        }
        crypto::wipe(plaintext);
        received.applied = true;
        return received;
    }
    if (plaintext.isEmpty() || plaintext.front() != kSenderKeyPayload)
        return received; // a payload this version does not know
    auto distribution = crypto::SenderKeyDistribution::decode(QByteArrayView(plaintext).sliced(1));
    crypto::wipe(plaintext);
    if (!distribution)
        return received;
    const ChainKey key{distribution->conversationId, message.user, message.device,
                       distribution->chainId};
    auto existing = receivedChain(db, key);
    if (!existing)
        return existing.error();
    // A chain held already stays: it reaches further back.
    if (!*existing || (*existing)->firstIteration() > distribution->iteration) {
        auto chain = crypto::ReceivedSenderChain::fromDistribution(*distribution);
        if (!chain)
            return received;
        if (auto saved = saveReceivedChain(db, key, *chain, true); !saved)
            return saved.error();
    }
    received.applied = true;

    if (auto reopened = reopenWaiting(db, key, me, received.conversations); !reopened)
        return reopened.error();
    return received;
}

// --- entries ------------------------------------------------------------------------------------

Result<proto::LogEntry> open(QSqlDatabase &db, const proto::LogEntry &entry, qint64 me)
{
    Q_UNUSED(me);
    if (entry.is(kEncrypted))
        return openMessage(db, entry);
    if (entry.is(kEncryptedEdit) || entry.is(kEncryptedReaction))
        return openChange(db, entry);
    return entry;
}

} // namespace tidings::app::local::e2e
