#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

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

void registerSessionHandlers(HandlerTable &table);
void registerAccountHandlers(HandlerTable &table);
void registerConversationHandlers(HandlerTable &table);
void registerMessageHandlers(HandlerTable &table);
void registerLiveHandlers(HandlerTable &table);
void registerPushHandlers(HandlerTable &table);

/// Every frame type the relay accepts, with its handler.
HandlerTable allHandlers();

/// Every event type the relay sends unasked (docs/protocol.md, section 5).
QStringList eventTypes();

} // namespace tidings::relay
