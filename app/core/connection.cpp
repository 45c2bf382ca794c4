#include "core/connection.h"

#include "core/core_logging.h"
#include "protocol/fields.h"
#include "protocol/frame.h"
#include "protocol/messages/account_requests.h"
#include "util/futures.h"
#include "util/version.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkInformation>
#include <QRandomGenerator>

namespace tidings::app {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

constexpr int kSessionEnded = 4001;

Error unavailable(const QString &why)
{
    return Error{ErrorCode::Unavailable, why};
}

} // namespace

Connection::Connection(QObject *parent) : Connection(Options{}, parent) { }

Connection::Connection(Options options, QObject *parent) : QObject(parent), m_options(options)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &Connection::open);
    m_heartbeatTimer.setInterval(std::max(100, m_options.heartbeatMs / 2));
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &Connection::heartbeat);

    // When the network comes back, do not wait for the backoff.
    if (QNetworkInformation::loadDefaultBackend() && QNetworkInformation::instance()) {
        connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
                [this](QNetworkInformation::Reachability reachability) {
                    if (reachability == QNetworkInformation::Reachability::Online)
                        reconnectNow();
                });
    }
}

Connection::~Connection()
{
    stop();
}

void Connection::setServer(const ServerAddress &server)
{
    m_server = server;
}

void Connection::setToken(const QString &token)
{
    m_token = token;
}

void Connection::setKnownUser(qint64 userId)
{
    // What the LocalStore remembers: the id.
    m_user = messages::User{};
    m_user.id = userId;
    m_userId = userId;
}

void Connection::setUser(const messages::User &user)
{
    if (m_userId != 0 && user.id == m_userId)
        m_user = user;
}

Result<messages::SignedIn> Connection::takeSignedIn(const QJsonObject &result)
{
    auto signedIn = messages::SignedIn::decode(result);
    if (!signedIn) {
        qCWarning(lcConnection) << "the relay's sign-in answer does not decode:"
                                << signedIn.error().message;
        return signedIn;
    }
    m_user = signedIn->user;
    m_userId = signedIn->user.id;
    if (!signedIn->token.isEmpty()) {
        m_token = signedIn->token;
        Q_EMIT tokenChanged(m_token);
    }
    return signedIn;
}

void Connection::start()
{
    if (m_running)
        return;
    m_running = true;
    m_attempt = 0;
    open();
}

void Connection::stop()
{
    m_running = false;
    m_retryTimer.stop();
    m_heartbeatTimer.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->close();
        m_socket.release()->deleteLater();
    }
    failPending(unavailable(u"the connection was closed"_s));
    m_helloDone = false;
    if (m_state != State::Incompatible)
        setState(State::Offline);
}

void Connection::reconnectNow()
{
    if (!m_running || m_state == State::Incompatible)
        return;
    if (m_state == State::Offline) {
        m_retryTimer.stop();
        m_attempt = 0;
        open();
    }
}

void Connection::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    qCInfo(lcConnection) << "connection" << state;
    Q_EMIT stateChanged(state);
}

void Connection::open()
{
    if (!m_running || !m_server)
        return;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket.release()->deleteLater();
    }
    m_helloDone = false;
    setState(State::Connecting);
    m_socket = std::make_unique<QWebSocket>();
    // The relay's frames are bounded; so are ours to read.
    m_socket->setMaxAllowedIncomingMessageSize(16 * 1024 * 1024);
    m_socket->setMaxAllowedIncomingFrameSize(16 * 1024 * 1024);
    connect(m_socket.get(), &QWebSocket::connected, this, &Connection::onConnected);
    connect(m_socket.get(), &QWebSocket::disconnected, this, &Connection::onDisconnected);
    connect(m_socket.get(), &QWebSocket::textMessageReceived, this, &Connection::onText);
    connect(m_socket.get(), &QWebSocket::pong, this, [this] { m_lastHeard.restart(); });
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    connect(m_socket.get(), &QWebSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
#else
    connect(m_socket.get(), qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError) {
#endif
        // A failed connect or handshake may never say "disconnected".
        if (m_socket && m_socket->state() == QAbstractSocket::UnconnectedState)
            drop(m_socket->errorString());
    });
    if (m_server->httpUrl().scheme() == u"https") {
        connect(m_socket.get(), &QWebSocket::sslErrors, this, [](const QList<QSslError> &errors) {
            qCWarning(lcConnection) << "TLS errors:" << errors;
        });
    }
    // The watchdog runs from here: a handshake that hangs is given up like a silent link.
    m_lastHeard.start();
    m_heartbeatTimer.start();
    m_socket->open(m_server->webSocketUrl());
}

void Connection::onConnected()
{
    m_lastHeard.restart();
    const messages::Hello hello{{protocol::kProtocolVersion},
                                u"tidings %1"_s.arg(productVersion())};
    whenReady(send(QString::fromLatin1(hello.kType), hello.encode()), this,
              [this](const Result<QJsonObject> &welcome) {
                  if (!welcome) {
                      if (welcome.error().code == ErrorCode::Unsupported) {
                          qCWarning(lcConnection)
                              << "incompatible relay:" << welcome.error().message;
                          m_running = false;
                          setState(State::Incompatible);
                          if (m_socket)
                              m_socket->close();
                      }
                      return;
                  }
                  auto terms = messages::Welcome::decode(*welcome);
                  if (!terms) {
                      qCWarning(lcConnection)
                          << "the relay's hello does not decode:" << terms.error().message;
                      if (m_socket)
                          m_socket->close(); // and try again later, as after a dropped link
                      return;
                  }
                  m_helloDone = true;
                  m_welcome = std::move(*terms);
                  if (m_token.isEmpty())
                      setState(State::SignedOut);
                  else
                      authenticate();
              });
}

void Connection::authenticate()
{
    const messages::Auth auth{m_token};
    whenReady(send(QString::fromLatin1(auth.kType), auth.encode()), this,
              [this](const Result<QJsonObject> &result) {
                  if (result && takeSignedIn(*result)) {
                      m_attempt = 0;
                      setState(State::Connected);
                      Q_EMIT signedIn(m_user);
                      return;
                  }
                  if (result) {
                      // An answer that does not decode: as if the link dropped, try again.
                      if (m_socket)
                          m_socket->close();
                      return;
                  }
                  if (result.error().code == ErrorCode::Unauthorized
                      || result.error().code == ErrorCode::Forbidden) {
                      m_token.clear();
                      m_user = {};
                      m_userId = 0;
                      setState(State::SignedOut);
                      Q_EMIT sessionEnded(result.error().message);
                  }
                  // Anything else (the link dropped, the relay is busy): the reconnect retries.
              });
}

void Connection::onDisconnected()
{
    drop(m_socket ? u"closed with %1"_s.arg(m_socket->closeCode()) : QString());
}

void Connection::drop(const QString &why)
{
    if (!m_socket)
        return;
    qCDebug(lcConnection) << "link down:" << why;
    m_heartbeatTimer.stop();
    const int code = m_socket->closeCode();
    m_socket->disconnect(this);
    m_socket->abort();
    m_socket.release()->deleteLater();
    m_helloDone = false;
    failPending(unavailable(u"the connection dropped"_s));
    if (code == kSessionEnded && !m_token.isEmpty()) {
        m_token.clear();
        m_user = {};
        m_userId = 0;
        Q_EMIT sessionEnded(u"this session was ended on the relay"_s);
    }
    if (m_state == State::Incompatible)
        return;
    setState(State::Offline);
    scheduleReconnect();
}

void Connection::scheduleReconnect()
{
    if (!m_running)
        return;
    // Exponential with full jitter: a relay restart does not meet all clients at once.
    const qint64 ceiling = std::min<qint64>(
        m_options.maximumBackoffMs, qint64(m_options.minimumBackoffMs) << std::min(m_attempt, 16));
    const qint64 delay = ceiling / 2 + QRandomGenerator::global()->bounded(ceiling / 2 + 1);
    ++m_attempt;
    qCDebug(lcConnection) << "reconnecting in" << delay << "ms";
    m_retryTimer.start(static_cast<int>(delay));
}

void Connection::heartbeat()
{
    if (!m_socket)
        return;
    const qint64 silent = m_lastHeard.elapsed();
    if (silent > m_options.heartbeatMs * 5 / 2) {
        qCInfo(lcConnection) << "the relay is silent; reconnecting";
        drop(u"silent"_s);
        return;
    }
    if (silent > m_options.heartbeatMs)
        m_socket->ping();
    // Requests that waited too long fail, so callers can retry.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QStringList expired;
    for (auto it = m_sentAt.cbegin(); it != m_sentAt.cend(); ++it) {
        if (now - it.value() > m_options.requestTimeoutMs)
            expired.append(it.key());
    }
    for (const QString &id : std::as_const(expired)) {
        if (auto promise = m_pending.take(id)) {
            promise->addResult(Result<QJsonObject>(unavailable(u"no reply in time"_s)));
            promise->finish();
        }
        m_sentAt.remove(id);
    }
}

void Connection::onText(const QString &text)
{
    m_lastHeard.restart();
    const auto frame = protocol::decodeFrame(text.toUtf8(), std::numeric_limits<qsizetype>::max());
    if (!frame) {
        qCWarning(lcConnection) << "unreadable frame from the relay:" << frame.error().message;
        return;
    }
    if (!frame->id.isEmpty()) {
        auto promise = m_pending.take(frame->id);
        m_sentAt.remove(frame->id);
        if (!promise)
            return;
        if (frame->type == u"result") {
            promise->addResult(Result<QJsonObject>(frame->fields));
        } else {
            promise->addResult(Result<QJsonObject>(protocol::errorOf(*frame)));
        }
        promise->finish();
        return;
    }
    Q_EMIT eventReceived(*frame);
}

void Connection::failPending(const Error &error)
{
    const auto pending = std::exchange(m_pending, {});
    m_sentAt.clear();
    for (const auto &promise : pending) {
        promise->addResult(Result<QJsonObject>(error));
        promise->finish();
    }
}

QFuture<Result<QJsonObject>> Connection::send(const QString &type, const QJsonObject &fields)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return readyFuture(Result<QJsonObject>(unavailable(u"not connected"_s)));
    protocol::Frame frame;
    frame.type = type;
    frame.id = QString::number(m_nextId++);
    frame.fields = fields;
    auto promise = std::make_shared<QPromise<Result<QJsonObject>>>();
    promise->start();
    m_pending.insert(frame.id, promise);
    m_sentAt.insert(frame.id, QDateTime::currentMSecsSinceEpoch());
    m_socket->sendTextMessage(QString::fromUtf8(protocol::encodeFrame(frame)));
    return promise->future();
}

QFuture<Result<QJsonObject>> Connection::request(const QString &type, const QJsonObject &fields)
{
    if (!m_helloDone)
        return readyFuture(Result<QJsonObject>(unavailable(u"not connected"_s)));
    return send(type, fields);
}

bool Connection::sendEvent(const QString &type, const QJsonObject &fields)
{
    if (m_state != State::Connected || !m_socket)
        return false;
    protocol::Frame frame;
    frame.type = type;
    frame.fields = fields;
    m_socket->sendTextMessage(QString::fromUtf8(protocol::encodeFrame(frame)));
    return true;
}

QFuture<Result<messages::SignedIn>> Connection::signIn(const QString &type,
                                                       const QJsonObject &fields)
{
    return whenReady(
        request(type, fields), this,
        [this](const Result<QJsonObject> &result) -> Result<messages::SignedIn> {
            if (!result)
                return result.error();
            auto taken = takeSignedIn(*result);
            if (!taken)
                return Error{ErrorCode::Internal, tr("The server's answer could not be read.")};
            m_attempt = 0;
            setState(State::Connected);
            Q_EMIT signedIn(m_user);
            return taken;
        });
}

QFuture<Result<void>> Connection::signOut()
{
    const messages::Logout logout;
    return whenReady(request(QString::fromLatin1(logout.kType), logout.encode()), this,
                     [this](const Result<QJsonObject> &result) -> Result<void> {
                         m_token.clear();
                         m_user = {};
                         m_userId = 0;
                         if (m_helloDone)
                             setState(State::SignedOut);
                         Q_EMIT tokenChanged(QString());
                         if (!result)
                             return result.error();
                         return {};
                     });
}

} // namespace tidings::app
