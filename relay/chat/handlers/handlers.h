#pragma once

#include "protocol/messages/limits.h"
#include "util/result.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

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

/// The Gate of the end-to-end encryption requests: Unsupported while the relay's e2e
/// setting is off.
bool refuseWithoutE2e(const Request &request);

/// What the relay's e2e setting says of content that is (`encrypted`) or is not end-to-end
/// encrypted: Unsupported for ciphertext when it is off, EncryptionRequired for plaintext
/// when it is required; nothing when it is taken.
std::optional<Error> e2eRefusal(const Request &request, bool encrypted);

/// Runs `then` with the end-to-end device of the request's session (0: it registered none),
/// read from the store the first time and then kept on the Session. Nothing if the
/// connection has closed meanwhile.
void withSessionDevice(const Request &request, std::function<void(quint32 device)> then);
/// withSessionDevice() for what needs a device: Forbidden when there is none.
void withDevice(const Request &request, std::function<void(quint32 device)> then);

/// Runs `Before` (if any), decodes the request as a `Message` (common/protocol/messages),
/// refuses it with the decoder's error, or hands the value to `Run`.
/// Whether a Gate is given. Told by specialisation, not by comparing the function's address
/// with nullptr: that is no constant expression for a function of another file.
template<Gate G> inline constexpr bool kHasGate = true;
template<> inline constexpr bool kHasGate<nullptr> = false;

template<class Message, void (*Run)(const Request &, const Message &), Gate Before = nullptr>
void decodeThenRun(const Request &request)
{
    if constexpr (kHasGate<Before>) {
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
void registerInboxHandlers(HandlerTable &table);
void registerLinkHandlers(HandlerTable &table);

/// Every frame type the relay accepts, with its handler.
HandlerTable allHandlers();

/// Every event type the relay sends unasked (docs/protocol.md, section 5).
QStringList eventTypes();

} // namespace tidings::relay
