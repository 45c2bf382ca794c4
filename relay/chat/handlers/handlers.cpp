#include "chat/handlers/handlers.h"

#include "chat/chat_core.h"
#include "chat/request.h"
#include "chat/session.h"
#include "store/key_directory_queries.h"
#include "store/store.h"

namespace tidings::relay {

using namespace Qt::StringLiterals;

protocol::messages::Limits decodeLimits(const Request &request)
{
    const ChatOptions &options = request.core().options();
    protocol::messages::Limits limits{options.maxTextBytes, options.maxPageSize};
    limits.maxGroupMembers = options.maxGroupMembers;
    limits.maxCiphertextBytes = options.maxCiphertextBytes;
    return limits;
}

const QJsonObject &fieldsOf(const Request &request)
{
    return request.fields();
}

void refuse(const Request &request, const Error &error)
{
    request.fail(error);
}

std::optional<Error> e2eRefusal(const Request &request, bool encrypted)
{
    const ChatOptions::E2e setting = request.core().options().e2e;
    if (encrypted && setting == ChatOptions::E2e::Off)
        return Error{ErrorCode::Unsupported, u"end-to-end encryption is off on this relay"_s};
    if (!encrypted && setting == ChatOptions::E2e::Required)
        return Error{ErrorCode::EncryptionRequired,
                     u"this relay takes only end-to-end encrypted content"_s};
    return std::nullopt;
}

void withSessionDevice(const Request &request, std::function<void(quint32)> then)
{
    Session *session = request.session();
    if (!session)
        return;
    if (const std::optional<quint32> known = session->device())
        return then(*known);
    const qint64 id = session->sessionId();
    const quint32 changes = session->deviceChanges();
    request.core()
        .store()
        .read<std::optional<sql::DeviceRecord>>(
            [id](QSqlDatabase &db) { return sql::deviceOfSession(db, id); })
        .then(&request.core(),
              [request, then = std::move(then), id,
               changes](const Result<std::optional<sql::DeviceRecord>> &device) {
                  if (!device)
                      return request.fail(device.error());
                  Session *current = request.session();
                  if (!current)
                      return;
                  // Signed out (and maybe in as someone else) meanwhile: not this request's.
                  if (current->sessionId() != id)
                      return request.fail(Error{ErrorCode::Unauthorized,
                                                u"the session ended during the request"_s});
                  // A registration or removal meanwhile knows better than this read.
                  if (current->deviceChanges() == changes)
                      current->setDevice(*device ? (*device)->id : 0);
                  then(current->device().value_or(0));
              });
}

void withDevice(const Request &request, std::function<void(quint32)> then)
{
    withSessionDevice(request, [request, then = std::move(then)](quint32 device) {
        if (device == 0)
            return request.fail(
                Error{ErrorCode::Forbidden,
                      u"this needs a registered end-to-end device (device.register)"_s});
        then(device);
    });
}

bool refuseWithoutE2e(const Request &request)
{
    if (auto refused = e2eRefusal(request, true)) {
        request.fail(*refused);
        return true;
    }
    return false;
}

HandlerTable allHandlers()
{
    HandlerTable table;
    registerSessionHandlers(table);
    registerAccountHandlers(table);
    registerConversationHandlers(table);
    registerMessageHandlers(table);
    registerLiveHandlers(table);
    registerPushHandlers(table);
    registerKeyHandlers(table);
    registerInboxHandlers(table);
    registerLinkHandlers(table);
    return table;
}

QStringList eventTypes()
{
    return {QStringLiteral("event"),       QStringLiteral("receipt"),
            QStringLiteral("typing"),      QStringLiteral("presence"),
            QStringLiteral("resync"),      QStringLiteral("devices"),
            QStringLiteral("prekeys.low"), QStringLiteral("inbox"),
            QStringLiteral("link.answer"), QStringLiteral("link.complete"),
            QStringLiteral("link.cancel")};
}

} // namespace tidings::relay
