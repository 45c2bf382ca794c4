// Push registration: push.register, push.list, push.remove (docs/protocol.md, "Push").
#include "chat/chat_core.h"
#include "chat/handlers/handlers.h"
#include "chat/request.h"
#include "chat/session.h"
#include "crypto/sealed_box.h"
#include "protocol/fields.h"
#include "push/push_service.h"
#include "store/push_queries.h"
#include "store/store.h"

#include <QJsonArray>

namespace tidings::relay {

using namespace Qt::StringLiterals;
namespace fields = protocol::fields;

namespace {

const QStringList kNotifyChoices{u"all"_s, u"direct_and_mentions"_s, u"none"_s};

QJsonObject targetJson(const sql::PushTarget &target, qint64 thisSession)
{
    QJsonObject json{{u"id"_s, target.id},
                     {u"provider"_s, target.provider},
                     {u"address"_s, target.address},
                     {u"notify"_s, target.notify},
                     {u"sealed"_s, !target.deviceKey.isEmpty()},
                     {u"this_device"_s, target.sessionId == thisSession},
                     {u"created_at"_s, target.createdAt}};
    return json;
}

/// The push service, or an `unsupported` answer when this relay has none.
PushService *pushService(const Request &request)
{
    PushService *push = request.core().push();
    if (!push)
        request.fail({ErrorCode::Unsupported, u"this relay sends no push notifications"_s});
    return push;
}

void registerTarget(const Request &request)
{
    PushService *push = pushService(request);
    if (!push)
        return;
    // A tenth of the message rate: 2 per second by default (20 per IP address); never so
    // little that a burst holds less than one.
    if (request.throttledPerUserAndAddress(
            u"push"_s, std::max(0.5, request.core().options().messagesPerSecond / 10)))
        return;
    const auto provider = fields::string(request.fields(), u"provider"_s, {1, 32});
    if (!provider)
        return request.fail(provider.error());
    const auto address = fields::string(request.fields(), u"address"_s, {1, 4096});
    if (!address)
        return request.fail(address.error());
    const auto normalized = push->checkTarget(*provider, *address);
    if (!normalized)
        return request.fail(normalized.error());
    const auto notify = fields::optionalString(request.fields(), u"notify"_s, {1, 32});
    if (!notify)
        return request.fail(notify.error());
    const QString notifyChoice = notify->value_or(u"all"_s);
    if (!kNotifyChoices.contains(notifyChoice))
        return request.fail({ErrorCode::BadRequest,
                             u"field 'notify' is one of: %1"_s.arg(kNotifyChoices.join(u", "_s))});
    const auto deviceKey = fields::optionalString(request.fields(), u"device_key"_s, {0, 64});
    if (!deviceKey)
        return request.fail(deviceKey.error());
    QByteArray key;
    if (deviceKey->has_value() && !(*deviceKey)->isEmpty()) {
        const auto decoded = QByteArray::fromBase64Encoding(
            (*deviceKey)->toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        // A key that cannot be sealed to (e.g. a low-order point) is refused now, not found
        // out at the first push.
        if (!decoded || decoded.decoded.size() != crypto::kBoxPublicKeyBytes
            || !crypto::seal(decoded.decoded, "check"))
            return request.fail({ErrorCode::BadRequest,
                                 u"field 'device_key' is a base64 X25519 public key (32 bytes)"_s});
        key = decoded.decoded;
    }

    sql::PushTarget target;
    target.userId = request.session()->userId();
    target.sessionId = request.session()->sessionId();
    target.provider = *provider;
    target.address = *normalized;
    target.deviceKey = key;
    target.notify = notifyChoice;
    request.core()
        .store()
        .write<sql::PushTarget>(
            [target](QSqlDatabase &db) { return sql::registerPushTarget(db, target); })
        .then(&request.core(),
              [request, session = target.sessionId](const Result<sql::PushTarget> &stored) {
                  if (!stored)
                      return request.fail(stored.error());
                  request.reply({{u"target"_s, targetJson(*stored, session)}});
              });
}

void listTargets(const Request &request)
{
    const PushService *push = pushService(request);
    if (!push)
        return;
    const QJsonArray providers = QJsonArray::fromStringList(push->providers());
    const UserId user = request.session()->userId();
    const qint64 session = request.session()->sessionId();
    request.core()
        .store()
        .read<QList<sql::PushTarget>>(
            [user](QSqlDatabase &db) { return sql::pushTargets(db, user); })
        .then(&request.core(),
              [request, session, providers](const Result<QList<sql::PushTarget>> &targets) {
                  if (!targets)
                      return request.fail(targets.error());
                  QJsonArray list;
                  for (const sql::PushTarget &target : *targets)
                      list.append(targetJson(target, session));
                  request.reply({{u"targets"_s, list}, {u"providers"_s, providers}});
              });
}

void removeTarget(const Request &request)
{
    if (!pushService(request))
        return;
    const auto id = fields::integer(request.fields(), u"target"_s, 1);
    if (!id)
        return request.fail(id.error());
    const UserId user = request.session()->userId();
    request.core()
        .store()
        .write<void>([user, target = *id](QSqlDatabase &db) {
            return sql::removePushTarget(db, user, target);
        })
        .then(&request.core(), [request](const Result<void> &removed) {
            if (!removed)
                return request.fail(removed.error());
            request.reply();
        });
}

} // namespace

void registerPushHandlers(HandlerTable &table)
{
    table.insert(u"push.register"_s, {Access::SignedIn, registerTarget});
    table.insert(u"push.list"_s, {Access::SignedIn, listTargets});
    table.insert(u"push.remove"_s, {Access::SignedIn, removeTarget});
}

} // namespace tidings::relay
