#pragma once

#include <QHash>
#include <QList>
#include <QMap>
#include <QObject>
#include <QStringList>
#include <QUrl>
#include <QWebSocket>

#include <chrono>
#include <deque>

namespace tidings::test {

/// One user sending into one conversation at the pace a test sets, what the app's outbox
/// does without the app: every message waits in the outbox until its ack arrives. When the
/// connection drops, it connects again to the same address (behind a load balancer: another
/// node), resumes its session with its token (`auth`) and sends everything unacked again
/// with the same client_id. Never blocks; the test's event loop drives it.
///
/// Message n has client_id "<tag>-<n>" and text "<tag> #<n>" (clientId(), text()).
class SteadySender : public QObject
{
    Q_OBJECT

public:
    using Clock = std::chrono::steady_clock;

    SteadySender(QUrl url, QString token, qint64 conversation, QString tag,
                 QObject *parent = nullptr);
    ~SteadySender() override;

    /// Connects and signs in (and again after every drop, until close()).
    void connectToRelay();
    /// Puts `count` new messages in the outbox and sends what the window allows.
    void add(int count);
    /// Stops reconnecting and closes the connection.
    void close();
    /// Messages sent and not yet answered, at most (a pipeline, as a busy app has).
    void setWindow(int messages) { m_window = messages; }

    QString clientId(int n) const;
    QString text(int n) const;
    qint64 conversation() const { return m_conversation; }
    bool isSignedIn() const { return m_signedIn; }
    /// Messages made so far (0 … created() - 1), acked or not.
    int created() const { return m_created; }
    int unacked() const { return int(m_waiting.size() + m_inFlight.size()); }
    /// client_id → the seq its ack gave.
    const QHash<QString, qint64> &acked() const { return m_acked; }
    /// Connections that dropped (not counting close()).
    int connectionsLost() const { return m_connectionsLost; }
    Clock::time_point lastLoss() const { return m_lastLoss; }
    /// When each sign-in succeeded, the first included.
    const QList<Clock::time_point> &signIns() const { return m_signIns; }
    /// Connection attempts (the first included) and when the last one's WebSocket opened.
    int attempts() const { return m_attempts; }
    Clock::time_point lastOpened() const { return m_lastOpened; }
    /// Error replies that the outbox retries (rate_limited, unavailable) by code.
    const QMap<QString, int> &retriedErrors() const { return m_retriedErrors; }
    /// Anything that should not happen: other error replies, an ack for another message,
    /// two seqs for one client_id.
    const QStringList &problems() const { return m_problems; }

private:
    void onConnected();
    void onText(const QString &text);
    void onLost();
    void flush();
    void send(const QString &id, const QString &type, QJsonObject fields);

    QWebSocket m_socket;
    const QUrl m_url;
    const QString m_token;
    const qint64 m_conversation;
    const QString m_tag;
    int m_window = 50;
    int m_created = 0;
    int m_nextRequest = 1;
    bool m_signedIn = false;
    bool m_closing = false;
    bool m_reconnectPending = false;
    std::deque<int> m_waiting; ///< unacked, not sent on this connection
    QHash<QString, int> m_inFlight; ///< request id → message
    QHash<QString, qint64> m_acked;
    int m_connectionsLost = 0;
    int m_attempts = 0;
    Clock::time_point m_lastOpened;
    Clock::time_point m_lastLoss;
    QList<Clock::time_point> m_signIns;
    QMap<QString, int> m_retriedErrors;
    QStringList m_problems;
};

} // namespace tidings::test
