#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace tidings::bench {

class CiphertextPayloads;
class LeanWebSocket;
class LatencyStats;
struct ScannedEvent;

struct ConnectionsScenarioOptions
{
    QHostAddress host = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 8420;
    int connections = 1000; ///< authenticated connections to open and hold
    int holdSeconds = 10; ///< how long to hold them once all are up
    int setupConcurrency = 64; ///< connections being set up at once
    QList<QHostAddress> sources; ///< source addresses, used in turn (empty: any)
    QString prefix = QStringLiteral("bench"); ///< usernames are prefix + index
    int firstIndex = 0; ///< index of this process's first user (several processes)
    /// Active pairs among the connections (users 0↔1, 2↔3, …) sending messages to each
    /// other while the rest idle, open-loop at `rate` messages per second in total.
    int pairs = 0;
    double rate = 0;
    /// fanout: the first `groupSize` connections form one group, and its first member sends
    /// `rate` messages per second to it; each message is timed to its last member.
    int groupSize = 0;
    /// storm: once all are up, every connection drops at once and all come back together,
    /// each resuming its session with its token (`auth`) and syncing until caught up.
    bool storm = false;
    /// history: while the pairs send, `historyRate` requests per second for the latest 50
    /// entries of the pairs' conversations, timed from request to result.
    double historyRate = 0;
    /// throughput: every user registers an end-to-end device after signing in (before the
    /// timed part), and the pairs send ciphertext-shaped messages (ciphertext_payload.h)
    /// instead of plaintext ones. The relay's `e2e` must be optional or required.
    bool ciphertext = false;
    qint64 relayPid = 0; ///< to read the relay's RSS and CPU from /proc (0: not measured)
    bool announceHolding = false; ///< print "holding" on stdout when all are up (child mode)
};

/// Opens N WebSocket connections with the lean client, each signing in its own user
/// (registered on first use), holds them for a while answering the relay's pings, and
/// reports how many stayed up and what they cost the relay. With pairs and a rate it also
/// sends messages between pairs meanwhile and measures send → receive latency and loss;
/// with a group size, it times messages to every member of one group (fanout); with storm,
/// it drops every connection at once and times their return (reconnect, auth, sync).
class ConnectionsScenario : public QObject
{
    Q_OBJECT

public:
    explicit ConnectionsScenario(ConnectionsScenarioOptions options, QObject *parent = nullptr);
    ~ConnectionsScenario() override;

    void start();

Q_SIGNALS:
    void finished(const QJsonObject &result);

private:
    struct Client;
    void openNext();
    void connectSocket(Client &client);
    void onHandshake(Client &client, const QJsonObject &frame, const QString &type,
                     const QString &id);
    void onE2eSetup(Client &client, const QJsonObject &frame, const QString &type,
                    const QString &id);
    void onMessageEvent(Client &client, const ScannedEvent &event);
    void startSending();
    void startStorm();
    void requestHistoryDue();
    void stormClientDone(Client &client, bool back);
    void onText(Client &client, const QByteArray &text);
    void established(Client &client);
    void lost(Client &client, const QString &why);
    void startHolding();
    void sendDue();
    void finish();
    void send(Client &client, const QJsonObject &frame);

    ConnectionsScenarioOptions m_options;
    std::vector<std::unique_ptr<Client>> m_clients;
    int m_nextToOpen = 0;
    int m_settingUp = 0;
    int m_established = 0;
    int m_failed = 0;
    int m_dropped = 0;
    QStringList m_errors; ///< the first few reasons
    QElapsedTimer m_clock;
    qint64 m_setupMs = 0;
    qint64 m_relayRssBefore = 0;
    qint64 m_relayRssHeld = 0;
    double m_relayCpuBefore = 0;
    double m_loaderCpuBefore = 0;
    double m_relayCpuAtSend = 0; ///< when the first message went
    double m_loaderCpuAtSend = 0;
    bool m_holding = false;
    bool m_finished = false;

    // Active pairs.
    QTimer m_sendTimer;
    qint64 m_sendStartMs = 0;
    qint64 m_sent = 0;
    qint64 m_acked = 0;
    qint64 m_received = 0;
    qint64 m_sendErrors = 0;
    int m_pairsReady = 0;
    std::unique_ptr<LatencyStats> m_latency;
    /// Makes client ids unique across runs: the relay answers a reused one as a duplicate
    /// and sends nothing on.
    QString m_runId;
    qint64 m_duplicates = 0;
    /// --ciphertext: the device lists' version (the wall clock at the start, so above any
    /// earlier run's) and the message bodies.
    quint64 m_deviceListVersion = 0;
    std::unique_ptr<CiphertextPayloads> m_payloads;

    // Fanout: per message (by its send time), how many members have it so far.
    QHash<qint64, int> m_fanoutPending;
    std::unique_ptr<LatencyStats> m_lastMember;
    qint64 m_fanoutComplete = 0;

    // History.
    QTimer m_historyTimer;
    qint64 m_historySent = 0;
    qint64 m_historyPages = 0;
    qint64 m_historyEvents = 0;
    QHash<QString, qint64> m_historyStarted; ///< request id → when it was sent (ns)
    std::unique_ptr<LatencyStats> m_historyLatency;

    // Storm.
    bool m_storming = false;
    qint64 m_stormStartMs = 0;
    qint64 m_stormMs = 0;
    int m_stormExpected = 0;
    int m_stormBack = 0;
    int m_stormRefused = 0;
    qint64 m_stormEvents = 0;
};

/// Resident memory of a process in bytes, from /proc (0 when unknown).
qint64 processRssBytes(qint64 pid);
/// CPU seconds (user + system) a process has used, from /proc (0 when unknown).
double processCpuSeconds(qint64 pid);

} // namespace tidings::bench
