#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QUrl>
#include <QWebSocket>

namespace tidings::test {

/// A raw protocol client for tests: speaks docs/protocol.md over a real WebSocket, one
/// JSON object per text message, and waits on signals (never sleeps). Replies are matched
/// to requests by id; everything else is kept as an event for next().
class ProtocolClient : public QObject
{
    Q_OBJECT

public:
    explicit ProtocolClient(QObject *parent = nullptr);
    ~ProtocolClient() override;

    bool open(const QUrl &url, int timeoutMs = 10000, const QString &origin = {});
    void close();
    bool isConnected() const;
    /// Waits until the relay closes the connection; returns its close code (or -1).
    int waitForClose(int timeoutMs = 10000);
    QWebSocket &socket() { return m_socket; }

    /// Sends {"type": type, "id": <next id>, …fields} and waits for its one reply.
    /// Returns the reply object (type "result" or "error"), or {} on timeout.
    QJsonObject request(const QString &type, const QJsonObject &fields = {}, int timeoutMs = 15000);
    /// Every entry of a conversation's log, read page by page through `history`.
    QList<QJsonObject> wholeHistory(qint64 conversation);
    /// Sends message.send with `text` (and `more` fields) and waits for its reply.
    QJsonObject sendMessage(qint64 conversation, const QString &clientId, const QString &text,
                            const QJsonObject &more = {});
    /// The id of the direct conversation with `other` (direct.open), or 0 when refused.
    qint64 openDirect(qint64 other);
    /// Sends a request without waiting; returns its id for reply().
    QString post(const QString &type, const QJsonObject &fields = {});
    /// Waits for the reply to a request sent with post(); {} on timeout.
    QJsonObject reply(const QString &id, int timeoutMs = 30000);
    /// Sends raw text (anything, valid or not) as one text message.
    void sendText(const QString &text);
    /// Sends a frame without an id (an event) and does not wait.
    void sendEvent(const QString &type, const QJsonObject &fields = {});

    /// The next event (a frame without our request id) of `type` (any type if empty),
    /// waiting for it if needed; {} on timeout. Earlier events of other types are kept.
    QJsonObject next(const QString &type = {}, int timeoutMs = 10000);
    /// Whether an event of `type` arrives within `timeoutMs` (for asserting silence).
    bool receives(const QString &type, int timeoutMs);
    /// Everything the relay has sent this connection until now, taken out. A ping goes
    /// first: the relay answers it after all it had queued here (connections are served
    /// on several threads, so "now" for another connection is no guarantee).
    QList<QJsonObject> takeEvents();

    /// hello with version 1; true when the relay accepted it.
    bool hello();
    /// hello + register; returns the result (with "token") or the error.
    QJsonObject registerUser(const QString &username,
                             const QString &password = QStringLiteral("correct horse"),
                             const QString &device = {});

    /// Opens, says hello and registers `username` (password "correct horse"); returns the
    /// new user's id, or 0 if any step failed.
    qint64 signUp(const QUrl &url, const QString &username, const QString &device = {});
    /// Opens, says hello and logs in; returns the user's id, or 0.
    qint64 signIn(const QUrl &url, const QString &username,
                  const QString &password = QStringLiteral("correct horse"));
    /// Opens, says hello and resumes the session of `token` (auth); returns the user's id, or 0.
    qint64 resume(const QUrl &url, const QString &token);
    qint64 userId() const { return m_userId; }
    /// The session token signUp() or signIn() got (empty before or if they failed).
    QString token() const { return m_token; }

    static bool isOk(const QJsonObject &reply)
    {
        return reply.value(QStringLiteral("type")) == QStringLiteral("result");
    }
    static QString errorCode(const QJsonObject &reply)
    {
        return reply.value(QStringLiteral("code")).toString();
    }

private:
    void onText(const QString &text);

    QWebSocket m_socket;
    QList<QJsonObject> m_events;
    QHash<QString, QJsonObject> m_replies;
    int m_nextId = 1;
    qint64 m_userId = 0;
    QString m_token;
};

} // namespace tidings::test
