// The key directory of end-to-end encryption: devices.publish, device.register, devices.get,
// device.remove, prekeys.upload, prekeys.claim, prekeys.count (docs/protocol.md, "End-to-end
// encryption: the key directory"; the design in docs/encryption.md). The relay checks each
// signature it stores once, when it is published, so that what it hands out verifies; it
// never holds a secret key and does no cryptography per message.
#include "chat/chat_core.h"
#include "chat/handlers/handlers.h"
#include "chat/request.h"
#include "chat/session.h"
#include "e2e/device_keys.h"
#include "e2e/prekeys.h"
#include "protocol/messages/events.h"
#include "protocol/messages/key_directory.h"
#include "protocol/messages/key_directory_replies.h"
#include "store/conversation_queries.h"
#include "store/key_directory_queries.h"
#include "store/sql_helpers.h"
#include "store/store.h"

#include <QJsonDocument>

#include <algorithm>

namespace tidings::relay {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

/// How a user names themselves inside what they sign (docs/encryption.md, decision 54).
QString signedUserId(UserId user)
{
    return QString::number(user);
}

Error badRequest(const QString &what)
{
    return Error{ErrorCode::BadRequest, what};
}

/// The signed device list in `bytes`, checked to be `user`'s, at `version` when one is
/// given, signed by `identityKey`. Runs on a store thread (one Ed25519 verification).
Result<e2e::DeviceList> checkedList(const QByteArray &bytes, UserId user,
                                    std::optional<qint64> version, const QByteArray &identityKey)
{
    auto list = e2e::DeviceList::decode(bytes);
    if (!list)
        return badRequest(u"list: "_s + list.error().message);
    if (list->userId != signedUserId(user))
        return badRequest(u"list: it names another user"_s);
    if (version && qint64(list->version) != *version)
        return badRequest(u"list: it is version %1, not %2"_s.arg(list->version).arg(*version));
    if (auto verified = list->verify(identityKey); !verified)
        return badRequest(u"list: the signature does not verify with the identity key"_s);
    return *list;
}

messages::DeviceInfo deviceInfo(const sql::DeviceRecord &device, qint64 currentSession)
{
    messages::DeviceInfo info;
    info.user = device.user;
    info.id = device.id;
    info.key = device.key;
    info.certificate = device.certificate;
    info.name = device.name;
    info.createdAt = device.createdAt;
    info.lastSeenAt = device.lastSeenAt;
    info.current = device.sessionId == currentSession;
    return info;
}

/// Tells `user`'s sessions and everyone who shares a conversation with them that their
/// devices changed (they refetch with devices.get).
void announceDevices(ChatCore &core, UserId user, qint64 version, bool identityChanged)
{
    core.store()
        .read<QList<UserId>>([user](QSqlDatabase &db) { return sql::contactsOf(db, user); })
        .then(&core,
              [&core, user, version, identityChanged](const Result<QList<UserId>> &contacts) {
                  QList<UserId> audience = contacts ? *contacts : QList<UserId>{};
                  audience.append(user);
                  const messages::DevicesEvent event{user, version, identityChanged};
                  core.sendToUsers(
                      audience,
                      QJsonDocument(messages::eventFrame(event)).toJson(QJsonDocument::Compact));
              });
}

/// The session of `sessionId` among `user`'s on this node, if it is here.
Session *sessionById(ChatCore &core, UserId user, qint64 sessionId)
{
    const QList<Session *> sessions = core.sessionsOf(user);
    const auto found = std::find_if(sessions.cbegin(), sessions.cend(), [sessionId](Session *s) {
        return s->sessionId() == sessionId;
    });
    return found == sessions.cend() ? nullptr : *found;
}

void publishDevices(const Request &request, const messages::PublishDevices &asked)
{
    const UserId user = request.session()->userId();
    const qint64 session = request.session()->sessionId();
    struct Published
    {
        QList<qint64> ended;
        bool identityChanged = false;
    };
    request.core()
        .store()
        .write<Published>([user, session, asked](QSqlDatabase &db) -> Result<Published> {
            if (auto list = checkedList(asked.list, user, asked.version, asked.identityKey); !list)
                return list.error();
            auto before = sql::identitiesOf(db, {user});
            if (!before)
                return before.error();
            const bool changed
                = !before->isEmpty() && before->constFirst().identityKey != asked.identityKey;
            auto ended = sql::publishIdentity(
                db, {user, asked.identityKey, asked.list, asked.version}, asked.reset, session);
            if (!ended)
                return ended.error();
            return Published{*ended, changed};
        })
        .then(&request.core(),
              [request, user, version = asked.version](const Result<Published> &published) {
                  if (!published)
                      return request.fail(published.error());
                  if (Session *current = request.session(); current && published->identityChanged)
                      current->setDevice(std::nullopt); // a reset took its device, if any
                  request.core().endSessions(published->ended, close_code::kSessionEnded,
                                             u"the account's identity key was reset"_s);
                  request.reply(messages::DevicesPublished{version}.encode());
                  announceDevices(request.core(), user, version, published->identityChanged);
              });
}

void registerDevice(const Request &request, const messages::RegisterDevice &asked)
{
    const UserId user = request.session()->userId();
    auto certificate = e2e::DeviceCertificate::decode(asked.certificate);
    if (!certificate)
        return request.fail(badRequest(u"certificate: "_s + certificate.error().message));
    if (certificate->userId != signedUserId(user) || certificate->deviceId != asked.device
        || certificate->deviceKey != asked.key) {
        return request.fail(
            badRequest(u"certificate: it is for another user, device or key than this one"_s));
    }
    sql::DeviceRecord device;
    device.user = user;
    device.id = asked.device;
    device.sessionId = request.session()->sessionId();
    device.key = asked.key;
    device.certificate = asked.certificate;
    device.name = asked.name;
    device.createdAt = device.lastSeenAt = sql::now();
    struct Registered
    {
        sql::DeviceRecord device;
        qint64 version = 0;
    };
    request.core()
        .store()
        .write<Registered>([device,
                            certificate = *certificate](QSqlDatabase &db) -> Result<Registered> {
            auto identity = sql::identitiesOf(db, {device.user});
            if (!identity)
                return identity.error();
            if (identity->isEmpty())
                return Error{ErrorCode::NotFound,
                             u"no identity key is published: publish the device list first"_s};
            if (auto verified = certificate.verify(identity->constFirst().identityKey); !verified) {
                return badRequest(u"certificate: the account's identity key did not sign it"_s);
            }
            auto registered = sql::registerDevice(db, device);
            if (!registered)
                return registered.error();
            return Registered{*registered, identity->constFirst().version};
        })
        .then(&request.core(), [request, user](const Result<Registered> &registered) {
            if (!registered)
                return request.fail(registered.error());
            if (Session *session = request.session())
                session->setDevice(registered->device.id);
            request.reply(messages::DeviceRegistered{
                deviceInfo(registered->device, registered->device.sessionId)}
                              .encode());
            announceDevices(request.core(), user, registered->version, false);
        });
}

void getDevices(const Request &request, const messages::GetDevices &asked)
{
    const UserId user = request.session()->userId();
    // A directory read per asked user: 10 a second per user, bursts of 20.
    if (request.throttled(u"devices.get:"_s + QString::number(user), 10, 20))
        return;
    const qint64 session = request.session()->sessionId();
    request.core()
        .store()
        .read<messages::DeviceDirectory>(
            [users = asked.users, session](QSqlDatabase &db) -> Result<messages::DeviceDirectory> {
                auto identities = sql::identitiesOf(db, users);
                if (!identities)
                    return identities.error();
                auto devices = sql::devicesOf(db, users);
                if (!devices)
                    return devices.error();
                messages::DeviceDirectory directory;
                for (const sql::IdentityRecord &identity : std::as_const(*identities)) {
                    messages::UserDevices entry;
                    entry.user = identity.user;
                    entry.identityKey = identity.identityKey;
                    entry.list = identity.list;
                    entry.version = identity.version;
                    for (const sql::DeviceRecord &device : std::as_const(*devices)) {
                        if (device.user == identity.user)
                            entry.devices.append(deviceInfo(device, session));
                    }
                    directory.users.append(entry);
                }
                return directory;
            })
        .then(&request.core(), [request](const Result<messages::DeviceDirectory> &directory) {
            if (!directory)
                return request.fail(directory.error());
            request.reply(directory->encode());
        });
}

void removeDevice(const Request &request, const messages::RemoveDevice &asked)
{
    const UserId user = request.session()->userId();
    struct Removed
    {
        qint64 session = 0;
        qint64 version = 0;
    };
    request.core()
        .store()
        .write<Removed>([user, asked](QSqlDatabase &db) -> Result<Removed> {
            auto identity = sql::identitiesOf(db, {user});
            if (!identity)
                return identity.error();
            if (identity->isEmpty())
                return Error{ErrorCode::NotFound, u"no identity key is published"_s};
            const sql::IdentityRecord &current = identity->constFirst();
            // The new list must be signed like the current one and leave the device out.
            auto list = checkedList(asked.list, user, std::nullopt, current.identityKey);
            if (!list)
                return list.error();
            if (list->deviceKey(asked.device))
                return badRequest(u"list: it still names device %1"_s.arg(asked.device));
            auto removed = sql::removeDevice(db, user, asked.device);
            if (!removed)
                return removed.error();
            auto published = sql::publishIdentity(
                db, {user, current.identityKey, asked.list, qint64(list->version)}, false, 0);
            if (!published)
                return published.error();
            return Removed{removed->sessionId, qint64(list->version)};
        })
        .then(&request.core(), [request, user](const Result<Removed> &removed) {
            if (!removed)
                return request.fail(removed.error());
            if (Session *session = request.session();
                session && removed->session == session->sessionId()) {
                session->setDevice(0);
            } else {
                request.core().endSessions({removed->session}, close_code::kSessionEnded,
                                           u"this device was removed"_s);
            }
            request.reply();
            announceDevices(request.core(), user, removed->version, false);
        });
}

void uploadPreKeys(const Request &request, const messages::UploadPreKeys &asked)
{
    const UserId user = request.session()->userId();
    const qint64 session = request.session()->sessionId();
    request.core()
        .store()
        .write<int>([user, session, asked](QSqlDatabase &db) -> Result<int> {
            auto device = sql::deviceOfSession(db, session);
            if (!device)
                return device.error();
            if (!*device)
                return Error{ErrorCode::Forbidden,
                             u"this session has no device: register one first"_s};
            std::optional<sql::SignedPrekeyRecord> signedPrekey;
            if (asked.signedPreKey) {
                const e2e::SignedPreKeyPublic published{
                    asked.signedPreKey->id, asked.signedPreKey->key, asked.signedPreKey->signature};
                if (auto verified = published.verify((*device)->key); !verified) {
                    return badRequest(u"signed_prekey: the device key did not sign it"_s);
                }
                signedPrekey = sql::SignedPrekeyRecord{published.id, published.publicKey,
                                                       published.signature, sql::now()};
            }
            QList<sql::OneTimePrekeyRecord> oneTime;
            for (const messages::OneTimePreKeyInfo &key : asked.oneTime)
                oneTime.append({key.id, key.key});
            return sql::storePrekeys(db, user, (*device)->id, signedPrekey, oneTime);
        })
        .then(&request.core(), [request](const Result<int> &count) {
            if (!count)
                return request.fail(count.error());
            request.reply(messages::PreKeysStored{*count}.encode());
        });
}

void claimPreKeys(const Request &request, const messages::ClaimPreKeys &asked)
{
    const UserId user = request.session()->userId();
    // Each device claimed takes a one-time prekey away: 60 a minute per user, bursts of 256.
    const QString budget = u"prekeys.claim:"_s + QString::number(user);
    for (qsizetype i = 0; i < std::max<qsizetype>(1, asked.devices.size()); ++i) {
        if (request.throttled(budget, 1.0, 256))
            return;
    }
    const qint64 session = request.session()->sessionId();
    struct Claimed
    {
        messages::ClaimedPreKeys reply;
        QList<std::pair<sql::DeviceRecord, int>> low; ///< devices left with few one-time keys
    };
    request.core()
        .store()
        .write<Claimed>(
            [user, session, devices = asked.devices](QSqlDatabase &db) -> Result<Claimed> {
                // One's own devices, and those of people one shares a conversation with (and
                // has not blocked, nor been blocked by): anyone else's are left out.
                auto contacts = sql::contactsOf(db, user);
                if (!contacts)
                    return contacts.error();
                QList<std::pair<UserId, quint32>> allowed;
                for (const messages::DeviceAddress &address : devices) {
                    if (address.user == user || contacts->contains(address.user))
                        allowed.append({address.user, address.device});
                }
                auto bundles = sql::claimPrekeys(db, allowed);
                if (!bundles)
                    return bundles.error();
                Claimed claimed;
                for (const sql::PrekeyBundleRecord &bundle : std::as_const(*bundles)) {
                    if (bundle.device.sessionId == session)
                        continue; // not one's own current device: it needs no session with itself
                    messages::PreKeyBundleInfo info;
                    info.user = bundle.device.user;
                    info.device = bundle.device.id;
                    info.key = bundle.device.key;
                    info.certificate = bundle.device.certificate;
                    info.signedPreKey = {bundle.signedPrekey.id, bundle.signedPrekey.key,
                                         bundle.signedPrekey.signature};
                    if (bundle.oneTime)
                        info.oneTime
                            = messages::OneTimePreKeyInfo{bundle.oneTime->id, bundle.oneTime->key};
                    claimed.reply.bundles.append(info);
                    if (bundle.oneTime) {
                        auto left = sql::prekeyCount(db, bundle.device.user, bundle.device.id);
                        if (!left)
                            return left.error();
                        if (left->count < messages::PreKeysLowEvent::kBelow)
                            claimed.low.append({bundle.device, left->count});
                    }
                }
                return claimed;
            })
        .then(&request.core(), [request](const Result<Claimed> &claimed) {
            if (!claimed)
                return request.fail(claimed.error());
            request.reply(claimed->reply.encode());
            for (const auto &[device, count] : claimed->low) {
                if (Session *owner = sessionById(request.core(), device.user, device.sessionId))
                    owner->send(
                        QJsonDocument(messages::eventFrame(messages::PreKeysLowEvent{count}))
                            .toJson(QJsonDocument::Compact));
            }
        });
}

void countPreKeys(const Request &request, const messages::CountPreKeys &)
{
    const qint64 session = request.session()->sessionId();
    request.core()
        .store()
        .read<messages::PreKeyCount>([session](QSqlDatabase &db) -> Result<messages::PreKeyCount> {
            auto device = sql::deviceOfSession(db, session);
            if (!device)
                return device.error();
            if (!*device)
                return Error{ErrorCode::Forbidden,
                             u"this session has no device: register one first"_s};
            auto count = sql::prekeyCount(db, (*device)->user, (*device)->id);
            if (!count)
                return count.error();
            messages::PreKeyCount reply;
            reply.count = count->count;
            if (count->signedPrekeyAt > 0) {
                reply.signedPreKey = count->signedPrekeyId;
                reply.signedPreKeyAt = count->signedPrekeyAt;
            }
            return reply;
        })
        .then(&request.core(), [request](const Result<messages::PreKeyCount> &count) {
            if (!count)
                return request.fail(count.error());
            request.reply(count->encode());
        });
}

} // namespace

void registerKeyHandlers(HandlerTable &table)
{
    add<messages::PublishDevices, publishDevices, refuseWithoutE2e>(table, Access::SignedIn);
    add<messages::RegisterDevice, registerDevice, refuseWithoutE2e>(table, Access::SignedIn);
    add<messages::GetDevices, getDevices, refuseWithoutE2e>(table, Access::SignedIn);
    add<messages::RemoveDevice, removeDevice, refuseWithoutE2e>(table, Access::SignedIn);
    add<messages::UploadPreKeys, uploadPreKeys, refuseWithoutE2e>(table, Access::SignedIn);
    add<messages::ClaimPreKeys, claimPreKeys, refuseWithoutE2e>(table, Access::SignedIn);
    add<messages::CountPreKeys, countPreKeys, refuseWithoutE2e>(table, Access::SignedIn);
}

} // namespace tidings::relay
