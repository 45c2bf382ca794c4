#pragma once

#include "protocol/messages/limits.h"
#include "util/result.h"

#include <QHash>
#include <QString>
#include <QStringList>

class QJsonObject;

namespace tidings::relay {

class Request;

/// Where in a connection's life a frame type is accepted.
enum class Access {
    Handshake, ///< only as the first frame ("hello")
    SignedOut, ///< after hello, before signing in ("login", "register", "auth")
    Any, ///< after hello, signed in or not ("ping")
    SignedIn, ///< only with a signed-in session
};

struct Handler
{
    Access access;
    void (*run)(const Request &request);
};

/// Frame type → its handler. Each feature adds its frame types in its own file; the
/// dispatcher (ChatCore) checks access and hands over a Request.
using HandlerTable = QHash<QString, Handler>;

/// The limits of this relay's options that decoding a request checks.
protocol::messages::Limits decodeLimits(const Request &request);
/// What decodeThenRun() needs of a Request (request.h stays out of this header).
const QJsonObject &fieldsOf(const Request &request);
void refuse(const Request &request, const Error &error);

/// A check a request type passes before its fields are read: a feature switched off, a
/// rate limit that must count malformed requests too, one that must cost nothing more when
/// exceeded. True when it has answered the request, which then stops there.
using Gate = bool (*)(const Request &request);

/// Runs `Before` (if any), decodes the request as a `Message` (common/protocol/messages),
/// refuses it with the decoder's error, or hands the value to `Run`.
template<class Message, void (*Run)(const Request &, const Message &), Gate Before = nullptr>
void decodeThenRun(const Request &request)
{
    if constexpr (Before != nullptr) {
        if (Before(request))
            return;
    }
    const Result<Message> message = Message::decode(fieldsOf(request), decodeLimits(request));
    if (!message)
        return refuse(request, message.error());
    Run(request, *message);
}

/// Adds the handler of the request type `Message`: what does not decode never reaches it.
template<class Message, void (*Run)(const Request &, const Message &), Gate Before = nullptr>
void add(HandlerTable &table, Access access)
{
    table.insert(QString::fromLatin1(Message::kType),
                 {access, &decodeThenRun<Message, Run, Before>});
}

void registerSessionHandlers(HandlerTable &table);
void registerAccountHandlers(HandlerTable &table);
void registerConversationHandlers(HandlerTable &table);
void registerMessageHandlers(HandlerTable &table);
void registerLiveHandlers(HandlerTable &table);
void registerPushHandlers(HandlerTable &table);
void registerKeyHandlers(HandlerTable &table);

/// Every frame type the relay accepts, with its handler.
HandlerTable allHandlers();

/// Every event type the relay sends unasked (docs/protocol.md, section 5).
QStringList eventTypes();

} // namespace tidings::relay
