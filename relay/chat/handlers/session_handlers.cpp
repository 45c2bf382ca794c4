// hello (version negotiation) and ping.
#include "chat/chat_core.h"
#include "chat/handlers/handlers.h"
#include "chat/request.h"
#include "chat/session.h"
#include "protocol/messages/account_requests.h"
#include "push/push_service.h"
#include "store/sql_helpers.h"
#include "util/version.h"

#include <QJsonArray>

namespace tidings::relay {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

QString e2eName(ChatOptions::E2e e2e)
{
    switch (e2e) {
    case ChatOptions::E2e::Off:
        return u"off"_s;
    case ChatOptions::E2e::Required:
        return u"required"_s;
    case ChatOptions::E2e::Optional:
        break;
    }
    return u"optional"_s;
}

void hello(const Request &request, const messages::Hello &message)
{
    // The fields are checked (decoded) first; only then whether a version is common.
    if (!message.versions.contains(protocol::kProtocolVersion)) {
        return request.fail({ErrorCode::Unsupported,
                             u"no common protocol version: this relay speaks version %1"_s.arg(
                                 protocol::kProtocolVersion)});
    }

    request.session()->setStage(Session::Stage::Anonymous);
    const ChatOptions &options = request.core().options();
    const PushService *push = request.core().push();
    request.reply({
        {u"push"_s, QJsonArray::fromStringList(push ? push->providers() : QStringList())},
        {u"version"_s, protocol::kProtocolVersion},
        {u"relay"_s, productVersion()},
        {u"registration"_s, options.registrationOpen ? u"open"_s : u"closed"_s},
        {u"heartbeat_ms"_s, static_cast<qint64>(options.heartbeatInterval.count())},
        {u"e2e"_s, e2eName(options.e2e)},
        {u"limits"_s,
         QJsonObject{{u"max_text_bytes"_s, options.maxTextBytes},
                     {u"max_ciphertext_bytes"_s, options.maxCiphertextBytes},
                     {u"max_group_members"_s, options.maxGroupMembers},
                     {u"max_page_size"_s, options.maxPageSize}}},
    });
}

void ping(const Request &request, const messages::Ping &)
{
    request.reply({{u"time"_s, sql::now()}});
}

} // namespace

void registerSessionHandlers(HandlerTable &table)
{
    add<messages::Hello, hello>(table, Access::Handshake);
    add<messages::Ping, ping>(table, Access::Any);
}

} // namespace tidings::relay
