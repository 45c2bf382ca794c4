// Push registration: push.register, push.list, push.remove (docs/protocol.md, "Push").
#include "chat/chat_core.h"
#include "chat/handlers/handlers.h"
#include "chat/request.h"
#include "chat/session.h"
#include "crypto/sealed_box.h"
#include "protocol/messages/push_requests.h"
#include "push/push_service.h"
#include "store/push_queries.h"
#include "store/store.h"

#include <QJsonArray>

namespace tidings::relay {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

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

/// A gate (see Gate): a relay without pushes answers `unsupported` before any fields are read.
bool withoutPushes(const Request &request)
{
    return !pushService(request);
}

// push.register is registered without add<>(): after the gate and its rate limit, the
// push service judges the provider and the address before the other fields are read.

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
    // The push service judges the provider and the address before the other fields are
    // read: a frame wrong in both is answered about its target, as it always was.
    const auto where = messages::PushAddress::decode(request.fields());
    if (!where)
        return request.fail(where.error());
    const auto normalized = push->checkTarget(where->provider, where->address);
    if (!normalized)
        return request.fail(normalized.error());
    const auto message
        = messages::RegisterPushTarget::decode(request.fields(), decodeLimits(request));
    if (!message)
        return request.fail(message.error());
    static_assert(messages::RegisterPushTarget::kDeviceKeyBytes == crypto::kBoxPublicKeyBytes);
    // A key that cannot be sealed to (e.g. a low-order point) is refused now, not found out
    // at the first push.
    if (!message->deviceKey.isEmpty() && !crypto::seal(message->deviceKey, "check"))
        return request.fail(messages::RegisterPushTarget::badDeviceKey());

    sql::PushTarget target;
    target.userId = request.session()->userId();
    target.sessionId = request.session()->sessionId();
    target.provider = message->provider;
    target.address = *normalized;
    target.deviceKey = message->deviceKey;
    target.notify = message->notify;
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

void listTargets(const Request &request, const messages::ListPushTargets &)
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

void removeTarget(const Request &request, const messages::RemovePushTarget &asked)
{
    const UserId user = request.session()->userId();
    request.core()
        .store()
        .write<void>([user, target = asked.target](QSqlDatabase &db) {
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
    // Decoded in two steps after its gates (see registerTarget()).
    table.insert(QString::fromLatin1(messages::RegisterPushTarget::kType),
                 {Access::SignedIn, registerTarget});
    add<messages::RemovePushTarget, removeTarget, withoutPushes>(table, Access::SignedIn);
    // No fields: nothing to refuse before the handler says whether there are pushes.
    add<messages::ListPushTargets, listTargets>(table, Access::SignedIn);
}

} // namespace tidings::relay
