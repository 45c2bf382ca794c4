#include "bench/connections_scenario.h"

#include "bench/ciphertext_payload.h"
#include "bench/event_scan.h"
#include "bench/latency_stats.h"
#include "bench/lean_websocket.h"
#include "bench/loader_device.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace tidings::bench {

namespace {

constexpr auto kPassword = "bench-password-1";
constexpr int kMaxErrorSamples = 5;
constexpr int kDrainMs = 3000; ///< after sending stops, for the last messages to arrive
constexpr int kSetupTimeoutS = 120; ///< for the pairs' conversations or the group to be made

QByteArray toFrame(const QJsonObject &frame)
{
    return QJsonDocument(frame).toJson(QJsonDocument::Compact);
}

} // namespace

qint64 processRssBytes(qint64 pid)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (pid <= 0 || !status.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return 0;
}

double processCpuSeconds(qint64 pid)
{
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (pid <= 0 || !stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = stat.readAll();
    // Fields after the command (which may hold spaces) start past the last ')'.
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return 0;
    const double ticks = fields.at(11).toDouble() + fields.at(12).toDouble(); // utime, stime
    return ticks / double(::sysconf(_SC_CLK_TCK));
}

struct ConnectionsScenario::Client
{
    int index = 0; ///< global user index
    LeanWebSocket *socket = nullptr;
    bool up = false;
    bool done = false; ///< failed or dropped: counted once
    qint64 userId = 0;
    qint64 conversation = 0; ///< a pair's (or the group's) sender: where it sends
    QString token; ///< the session, for coming back after a storm
    bool resuming = false; ///< dropped by the storm and not back yet
    QHash<qint64, qint64> cursors; ///< storm: conversation → last seq synced
    std::unique_ptr<LoaderDevice> device; ///< --ciphertext: its keys, until it is registered
};

ConnectionsScenario::ConnectionsScenario(ConnectionsScenarioOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_latency(std::make_unique<LatencyStats>()),
      m_runId(QString::number(QRandomGenerator::global()->generate64(), 36) + u'-'),
      m_lastMember(std::make_unique<LatencyStats>()),
      m_historyLatency(std::make_unique<LatencyStats>())
{
    if (m_options.ciphertext) {
        m_deviceListVersion = quint64(QDateTime::currentMSecsSinceEpoch());
        m_payloads = std::make_unique<CiphertextPayloads>();
    }
    m_sendTimer.setTimerType(Qt::PreciseTimer);
    m_sendTimer.setInterval(1);
    connect(&m_sendTimer, &QTimer::timeout, this, &ConnectionsScenario::sendDue);
    m_historyTimer.setTimerType(Qt::PreciseTimer);
    m_historyTimer.setInterval(1);
    connect(&m_historyTimer, &QTimer::timeout, this, &ConnectionsScenario::requestHistoryDue);
}

ConnectionsScenario::~ConnectionsScenario() = default;

void ConnectionsScenario::start()
{
    m_clock.start();
    m_relayRssBefore = processRssBytes(m_options.relayPid);
    m_relayCpuBefore = processCpuSeconds(m_options.relayPid);
    m_loaderCpuBefore = processCpuSeconds(QCoreApplication::applicationPid());
    m_clients.reserve(size_t(m_options.connections));
    for (int i = 0; i < m_options.connections; ++i) {
        auto client = std::make_unique<Client>();
        client->index = m_options.firstIndex + i;
        m_clients.push_back(std::move(client));
    }
    if (m_clients.empty())
        startHolding();
    else
        openNext();
}

void ConnectionsScenario::openNext()
{
    while (m_settingUp < m_options.setupConcurrency && m_nextToOpen < int(m_clients.size())) {
        Client &client = *m_clients[size_t(m_nextToOpen)];
        ++m_nextToOpen;
        ++m_settingUp;
        connectSocket(client);
    }
}

void ConnectionsScenario::connectSocket(Client &client)
{
    // Source addresses in turn: each pair of addresses has its own ephemeral ports.
    const QHostAddress source = m_options.sources.isEmpty()
        ? QHostAddress()
        : m_options.sources.at(client.index % m_options.sources.size());
    client.socket = new LeanWebSocket(this);
    connect(client.socket, &LeanWebSocket::opened, this, [this, &client] {
        send(client,
             {{u"type"_s, u"hello"_s},
              {u"id"_s, u"h"_s},
              {u"versions"_s, QJsonArray{1}},
              {u"client"_s, u"tidings-bench"_s}});
    });
    connect(client.socket, &LeanWebSocket::textReceived, this,
            [this, &client](const QByteArray &text) { onText(client, text); });
    connect(client.socket, &LeanWebSocket::closed, this,
            [this, &client](const QString &why) { lost(client, why); });
    client.socket->open(m_options.host, m_options.port, source);
}

void ConnectionsScenario::send(Client &client, const QJsonObject &frame)
{
    client.socket->sendText(toFrame(frame));
}

void ConnectionsScenario::onText(Client &client, const QByteArray &text)
{
    if (client.up) {
        if (const auto event = scanEvent(text)) {
            onMessageEvent(client, *event);
            return;
        }
    }
    const QJsonObject frame = QJsonDocument::fromJson(text).object();
    const QString type = frame.value(u"type"_s).toString();
    const QString id = frame.value(u"id"_s).toString();
    if (!client.up) {
        onHandshake(client, frame, type, id);
        return;
    }

    if (type == u"event") {
        const QString kind = frame.value(u"kind"_s).toString();
        const bool encrypted = kind == u"encrypted";
        const qint64 sentAt = encrypted
            ? sentAtOfCiphertext(frame.value(u"ciphertext"_s).toString().toLatin1()).value_or(0)
            : frame.value(u"text"_s).toString().toLongLong();
        onMessageEvent(client,
                       {kind == u"message" || encrypted, frame.value(u"sender"_s).toInteger(),
                        sentAt, encrypted});
    } else if (type == u"result" && id.startsWith(u'm')) {
        if (frame.value(u"duplicate"_s).toBool())
            ++m_duplicates; // stored before: nothing is delivered again
        else
            ++m_acked;
    } else if (type == u"result" && id == u"d") {
        client.conversation = frame.value(u"conversation"_s).toObject().value(u"id"_s).toInteger();
        if (++m_pairsReady == m_options.pairs)
            startSending();
    } else if (type == u"result" && id.startsWith(u'q')) {
        const qint64 started = m_historyStarted.take(id);
        if (started > 0) {
            m_historyLatency->add((m_clock.nsecsElapsed() - started) / 1000);
            ++m_historyPages;
            m_historyEvents += frame.value(u"events"_s).toArray().size();
        }
    } else if (type == u"result" && id == u"g") {
        client.conversation = frame.value(u"conversation"_s).toObject().value(u"id"_s).toInteger();
        startSending();
    } else if (type == u"error") {
        m_historyStarted.remove(id); // a refused page is counted here, not as unanswered
        ++m_sendErrors;
        if (m_errors.size() < kMaxErrorSamples)
            m_errors.append(frame.value(u"code"_s).toString() + u": "_s
                            + frame.value(u"message"_s).toString());
    }
}

void ConnectionsScenario::onHandshake(Client &client, const QJsonObject &frame, const QString &type,
                                      const QString &id)
{
    const QString username = m_options.prefix + QString::number(client.index);
    if (client.resuming) {
        if (type == u"result" && id == u"h") {
            send(client, {{u"type"_s, u"auth"_s}, {u"id"_s, u"a"_s}, {u"token"_s, client.token}});
        } else if (type == u"result" && (id == u"a" || id == u"s")) {
            // Signed in again; now everything missed, page by page, as an app does: each
            // page's cursors are merged into what the client has, and all are sent back
            // (a page names only the conversations it touched).
            const QJsonArray events = frame.value(u"events"_s).toArray();
            m_stormEvents += events.size();
            const QJsonArray cursors = frame.value(u"cursors"_s).toArray();
            for (const QJsonValue &cursor : cursors) {
                const QJsonObject at = cursor.toObject();
                client.cursors.insert(at.value(u"conversation"_s).toInteger(),
                                      at.value(u"seq"_s).toInteger());
            }
            if (id == u"s" && !frame.value(u"more"_s).toBool()) {
                stormClientDone(client, true);
                return;
            }
            QJsonArray all;
            for (auto it = client.cursors.cbegin(); it != client.cursors.cend(); ++it)
                all.append(QJsonObject{{u"conversation"_s, it.key()}, {u"seq"_s, it.value()}});
            send(client,
                 {{u"type"_s, u"sync"_s},
                  {u"id"_s, u"s"_s},
                  {u"cursors"_s, all},
                  {u"limit"_s, 500}});
        } else if (type == u"error") {
            lost(client,
                 u"%1: %2"_s.arg(frame.value(u"code"_s).toString(),
                                 frame.value(u"message"_s).toString()));
        }
        return;
    }
    if (id == u"p" || id == u"P" || id == u"k") {
        onE2eSetup(client, frame, type, id);
        return;
    }
    if (type == u"result" && id == u"h") {
        const QString e2e = frame.value(u"e2e"_s).toString(u"off"_s);
        if (m_options.ciphertext && e2e != u"optional" && e2e != u"required") {
            lost(client, u"--ciphertext needs the relay's e2e optional or required, not "_s + e2e);
            client.socket->close();
            return;
        }
        send(client,
             {{u"type"_s, u"register"_s},
              {u"id"_s, u"r"_s},
              {u"username"_s, username},
              {u"password"_s, QString::fromLatin1(kPassword)}});
    } else if (type == u"error" && id == u"r" && frame.value(u"code"_s).toString() == u"conflict") {
        send(client,
             {{u"type"_s, u"login"_s},
              {u"id"_s, u"l"_s},
              {u"username"_s, username},
              {u"password"_s, QString::fromLatin1(kPassword)}});
    } else if (type == u"result" && (id == u"r" || id == u"l")) {
        client.userId = frame.value(u"user"_s).toObject().value(u"id"_s).toInteger();
        client.token = frame.value(u"token"_s).toString();
        if (m_options.ciphertext) {
            client.device = std::make_unique<LoaderDevice>(client.userId, m_deviceListVersion);
            QJsonObject publish = client.device->publishFields(false);
            publish.insert(u"type"_s, u"devices.publish"_s);
            publish.insert(u"id"_s, u"p"_s);
            send(client, publish);
        } else {
            established(client);
        }
    } else if (type == u"error" && frame.value(u"code"_s).toString() == u"rate_limited"
               && (id == u"r" || id == u"l")) {
        // The relay's bounded hashing queue is full: ask again when it says.
        const int wait = std::max(10, frame.value(u"retry_after_ms"_s).toInt());
        const QString again = id == u"r" ? u"register"_s : u"login"_s;
        QTimer::singleShot(wait, client.socket, [this, &client, again, id, username] {
            send(client,
                 {{u"type"_s, again},
                  {u"id"_s, id},
                  {u"username"_s, username},
                  {u"password"_s, QString::fromLatin1(kPassword)}});
        });
    } else if (type == u"error") {
        lost(client,
             u"%1: %2"_s.arg(frame.value(u"code"_s).toString(),
                             frame.value(u"message"_s).toString()));
        client.socket->close();
    }
}

void ConnectionsScenario::onE2eSetup(Client &client, const QJsonObject &frame, const QString &type,
                                     const QString &id)
{
    if (!client.device)
        return;
    if (type == u"result" && (id == u"p" || id == u"P")) {
        QJsonObject registration = client.device->registrationFields();
        registration.insert(u"type"_s, u"device.register"_s);
        registration.insert(u"id"_s, u"k"_s);
        send(client, registration);
    } else if (type == u"result" && id == u"k") {
        client.device.reset(); // the relay asks for no signature per message
        established(client);
    } else if (type == u"error" && id == u"p" && frame.value(u"code"_s).toString() == u"conflict") {
        // The identity of an earlier run on this data directory (the loader keeps no keys):
        // replace it. This list's version, the wall clock, is above that run's; the reset
        // ends the user's other sessions, of which the loader has none.
        QJsonObject publish = client.device->publishFields(true);
        publish.insert(u"type"_s, u"devices.publish"_s);
        publish.insert(u"id"_s, u"P"_s);
        send(client, publish);
    } else if (type == u"error") {
        lost(client,
             u"%1 %2: %3"_s.arg(id == u"k" ? u"device.register"_s : u"devices.publish"_s,
                                frame.value(u"code"_s).toString(),
                                frame.value(u"message"_s).toString()));
        client.socket->close();
    }
}

void ConnectionsScenario::onMessageEvent(Client &client, const ScannedEvent &event)
{
    if (!event.message || event.sender == client.userId)
        return;
    const qint64 sentAt = event.sentAt;
    if (sentAt <= 0)
        return;
    ++m_received;
    const qint64 latencyUs = (m_clock.nsecsElapsed() - sentAt) / 1000;
    m_latency->add(latencyUs);
    if (m_options.groupSize > 0) {
        const auto pending = m_fanoutPending.find(sentAt);
        if (pending != m_fanoutPending.end() && --pending.value() == 0) {
            m_lastMember->add(latencyUs); // the last member has it
            ++m_fanoutComplete;
            m_fanoutPending.erase(pending);
        }
    }
}

void ConnectionsScenario::startSending()
{
    m_sendStartMs = std::max<qint64>(1, m_clock.elapsed());
    m_relayCpuAtSend = processCpuSeconds(m_options.relayPid);
    m_loaderCpuAtSend = processCpuSeconds(QCoreApplication::applicationPid());
    m_sendTimer.start();
    if (m_options.historyRate > 0)
        m_historyTimer.start();
    QTimer::singleShot(std::chrono::seconds(m_options.holdSeconds), this, [this] {
        m_sendTimer.stop();
        m_historyTimer.stop();
        QTimer::singleShot(kDrainMs, this, &ConnectionsScenario::finish);
    });
}

void ConnectionsScenario::requestHistoryDue()
{
    const qint64 elapsed = m_clock.elapsed() - m_sendStartMs;
    qint64 due = qint64(double(elapsed) * m_options.historyRate / 1000.0) - m_historySent;
    due = std::min<qint64>(due, 2000);
    for (; due > 0; --due) {
        Client &reader = *m_clients[size_t(2 * (m_historySent % m_options.pairs))];
        const QString id = u"q"_s + QString::number(m_historySent);
        m_historyStarted.insert(id, m_clock.nsecsElapsed());
        send(reader,
             {{u"type"_s, u"history"_s},
              {u"id"_s, id},
              {u"conversation"_s, reader.conversation},
              {u"limit"_s, 50}});
        ++m_historySent;
    }
}

void ConnectionsScenario::established(Client &client)
{
    client.up = true;
    ++m_established;
    --m_settingUp;
    openNext();
    if (m_established + m_failed == int(m_clients.size()))
        startHolding();
}

void ConnectionsScenario::lost(Client &client, const QString &why)
{
    if (client.resuming) { // did not come back from the storm
        if (m_errors.size() < kMaxErrorSamples)
            m_errors.append(why);
        stormClientDone(client, false);
        return;
    }
    if (client.done)
        return;
    client.done = true;
    if (m_errors.size() < kMaxErrorSamples)
        m_errors.append(why);
    if (!client.up) {
        ++m_failed;
        --m_settingUp;
        openNext();
        if (m_established + m_failed == int(m_clients.size()))
            startHolding();
        return;
    }
    ++m_dropped;
}

void ConnectionsScenario::startHolding()
{
    if (m_holding)
        return;
    m_holding = true;
    m_setupMs = m_clock.elapsed();
    if (m_options.announceHolding) { // for the parent process gathering several of us
        std::fprintf(stdout, "holding\n");
        std::fflush(stdout);
    }
    m_relayRssHeld = processRssBytes(m_options.relayPid);

    if (m_options.storm) {
        QTimer::singleShot(1000, this, &ConnectionsScenario::startStorm);
        return;
    }
    if (m_options.groupSize > 0) {
        // The group: the first members that are up; the first of them creates it and sends.
        QJsonArray members;
        for (size_t i = 1; i < m_clients.size() && members.size() < m_options.groupSize - 1; ++i) {
            if (m_clients[i]->up)
                members.append(m_clients[i]->userId);
        }
        m_options.groupSize = int(members.size()) + 1;
        if (m_clients.empty() || !m_clients.front()->up || members.isEmpty()) {
            m_errors.append(u"not enough members up for a group"_s);
            finish();
            return;
        }
        send(*m_clients.front(),
             {{u"type"_s, u"group.create"_s},
              {u"id"_s, u"g"_s},
              {u"title"_s, u"bench fanout"_s},
              {u"members"_s, members}});
    }

    const int pairs = std::min<int>(m_options.pairs, int(m_clients.size()) / 2);
    m_options.pairs = m_options.rate > 0 ? pairs : 0;
    for (int pair = 0; pair < m_options.pairs; ++pair) {
        Client &sender = *m_clients[size_t(2 * pair)];
        const Client &receiver = *m_clients[size_t(2 * pair + 1)];
        if (!sender.up || !receiver.up) {
            m_options.pairs = pair; // send on the pairs that are up
            break;
        }
        send(sender,
             {{u"type"_s, u"direct.open"_s}, {u"id"_s, u"d"_s}, {u"user"_s, receiver.userId}});
    }
    if (m_options.pairs > 0 || m_options.groupSize > 0) {
        // The hold starts with the sending (a 10,000-member group takes a while to make);
        // a setup that never completes is reported, not waited for.
        QTimer::singleShot(std::chrono::seconds(kSetupTimeoutS), this, [this] {
            if (m_sendStartMs == 0) {
                m_errors.append(
                    u"the pairs or the group were not ready within %1 s"_s.arg(kSetupTimeoutS));
                ++m_sendErrors;
                finish();
            }
        });
        return;
    }
    QTimer::singleShot(std::chrono::seconds(m_options.holdSeconds), this,
                       &ConnectionsScenario::finish);
}

void ConnectionsScenario::sendDue()
{
    const qint64 elapsed = m_clock.elapsed() - m_sendStartMs;
    qint64 due = qint64(double(elapsed) * m_options.rate / 1000.0) - m_sent;
    due = std::min<qint64>(due, 2000); // a stalled loader catches up gently
    for (; due > 0; --due) {
        Client &sender = m_options.groupSize > 0
            ? *m_clients.front()
            : *m_clients[size_t(2 * (m_sent % m_options.pairs))];
        const QString number
            = QString::number(m_options.firstIndex) + u'-' + QString::number(m_sent);
        const qint64 sentAt = m_clock.nsecsElapsed();
        if (m_options.groupSize > 0)
            m_fanoutPending.insert(sentAt, m_options.groupSize - 1);
        send(sender,
             {{u"type"_s, u"message.send"_s},
              {u"id"_s, QString(u"m"_s + number)},
              {u"conversation"_s, sender.conversation},
              {u"client_id"_s, QString(m_runId + number)},
              {m_payloads ? u"ciphertext"_s : u"text"_s,
               m_payloads ? m_payloads->make(sentAt, m_sent) : QString::number(sentAt)}});
        ++m_sent;
    }
}

void ConnectionsScenario::startStorm()
{
    // Every connection drops at once (as when a relay restarts or a network comes back)...
    QList<Client *> dropped;
    for (const auto &client : m_clients) {
        if (!client->up || !client->socket)
            continue;
        client->up = false;
        client->resuming = true;
        client->socket->disconnect(this);
        client->socket->close();
        client->socket->deleteLater();
        client->socket = nullptr;
        dropped.append(client.get());
    }
    m_storming = true;
    m_stormExpected = int(dropped.size());
    // ...and, once the relay has seen them go, all come back together.
    QTimer::singleShot(500, this, [this, dropped] {
        m_stormStartMs = m_clock.elapsed();
        for (Client *client : dropped) {
            connectSocket(*client);
        }
        if (dropped.isEmpty())
            finish();
        QTimer::singleShot(std::chrono::seconds(m_options.holdSeconds), this, [this] {
            if (m_stormMs == 0)
                finish(); // some never came back: counted as errors
        });
    });
}

void ConnectionsScenario::stormClientDone(Client &client, bool back)
{
    if (!client.resuming)
        return;
    client.resuming = false;
    client.up = back;
    if (!back) {
        client.done = true; // counted here, and nowhere else when its socket ends
        if (client.socket) {
            client.socket->disconnect(this);
            client.socket->close();
        }
    }
    ++(back ? m_stormBack : m_stormRefused);
    if (m_stormBack + m_stormRefused == m_stormExpected) {
        m_stormMs = std::max<qint64>(1, m_clock.elapsed() - m_stormStartMs);
        finish();
    }
}

void ConnectionsScenario::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_sendTimer.stop();
    m_historyTimer.stop();
    const qint64 relayRssEnd = processRssBytes(m_options.relayPid);
    const qint64 relayRss = std::max(m_relayRssHeld, relayRssEnd);
    int open = 0;
    for (const auto &client : m_clients) {
        if (client->socket && client->socket->isOpen())
            ++open;
    }
    const double loaderCpu
        = processCpuSeconds(QCoreApplication::applicationPid()) - m_loaderCpuBefore;
    QJsonObject result{
        {u"scenario"_s,
         m_options.storm                 ? u"storm"_s
             : m_options.historyRate > 0 ? u"history"_s
             : m_options.groupSize > 0   ? u"fanout"_s
             : m_options.pairs > 0       ? u"throughput"_s
                                         : u"connections"_s},
        {u"connections"_s, int(m_clients.size())},
        {u"established"_s, m_established},
        {u"failed"_s, m_failed},
        {u"dropped"_s, m_dropped},
        {u"open_at_end"_s, open},
        {u"setup_s"_s, double(m_setupMs) / 1000.0},
        {u"setup_per_s"_s, m_setupMs > 0 ? double(m_established) * 1000.0 / double(m_setupMs) : 0},
        {u"hold_s"_s, m_options.holdSeconds},
        {u"loader_cpu_s"_s, loaderCpu},
    };
    if (m_sendStartMs > 0 && m_sent > 0)
        result.insert(u"loader_us_per_msg"_s,
                      (processCpuSeconds(QCoreApplication::applicationPid()) - m_loaderCpuAtSend)
                          * 1e6 / double(m_sent));
    if (m_options.relayPid > 0) {
        result.insert(u"relay_rss_mb_before"_s, double(m_relayRssBefore) / (1024.0 * 1024.0));
        result.insert(u"relay_rss_mb_held"_s, double(relayRss) / (1024.0 * 1024.0));
        if (m_established > 0)
            result.insert(u"relay_kb_per_connection"_s,
                          double(relayRss - m_relayRssBefore) / 1024.0 / double(m_established));
        result.insert(u"relay_cpu_s"_s, processCpuSeconds(m_options.relayPid) - m_relayCpuBefore);
        // From the first send to the end of the drain: what the messages cost, set-up aside.
        if (m_sendStartMs > 0 && m_received > 0)
            result.insert(u"relay_us_per_msg"_s,
                          (processCpuSeconds(m_options.relayPid) - m_relayCpuAtSend) * 1e6
                              / double(m_sent));
    }
    qint64 loss = 0;
    qint64 stormMissing = 0;
    if (m_options.storm) {
        stormMissing = m_stormExpected - m_stormBack;
        result.insert(u"storm_clients"_s, m_stormExpected);
        result.insert(u"storm_back"_s, m_stormBack);
        result.insert(u"storm_refused"_s, m_stormRefused);
        result.insert(u"storm_back_s"_s, m_stormMs > 0 ? double(m_stormMs) / 1000.0 : -1.0);
        result.insert(u"storm_synced_events"_s, m_stormEvents);
    }
    const bool fanout = m_options.groupSize > 0;
    if (fanout || m_options.pairs > 0) {
        const double perSecond
            = m_options.holdSeconds > 0 ? double(m_received) / double(m_options.holdSeconds) : 0;
        if (fanout) {
            // Copies that never reached a member: what every message sent still waits for.
            for (const int missing : std::as_const(m_fanoutPending))
                loss += missing;
            result.insert(u"group_size"_s, m_options.groupSize);
            result.insert(u"deliveries"_s, m_received);
            result.insert(u"messages_to_all"_s, m_fanoutComplete);
            result.insert(u"deliveries_per_s"_s, perSecond);
            result.insert(u"last_member_ms"_s, m_lastMember->toJson());
            result.insert(u"delivery_ms"_s, m_latency->toJson());
        } else {
            loss = std::max<qint64>(0, m_acked - m_received);
            result.insert(u"pairs"_s, m_options.pairs);
            result.insert(u"ciphertext"_s, m_options.ciphertext);
            result.insert(u"received"_s, m_received);
            result.insert(u"throughput_msg_s"_s, perSecond);
            result.insert(u"latency_ms"_s, m_latency->toJson());
        }
        result.insert(u"rate"_s, m_options.rate);
        result.insert(u"sent"_s, m_sent);
        result.insert(u"acked"_s, m_acked);
        result.insert(u"loss"_s, loss);
        result.insert(u"duplicates"_s, m_duplicates);
    }
    qint64 historyUnanswered = 0;
    if (m_options.historyRate > 0) {
        historyUnanswered = m_historySent - m_historyPages;
        result.insert(u"history_rate"_s, m_options.historyRate);
        result.insert(u"history_requests"_s, m_historySent);
        result.insert(u"history_pages"_s, m_historyPages);
        result.insert(u"history_events_per_page"_s,
                      m_historyPages > 0 ? double(m_historyEvents) / double(m_historyPages) : 0);
        result.insert(u"history_ms"_s, m_historyLatency->toJson());
    }
    result.insert(u"errors"_s,
                  qint64(m_failed + m_dropped) + m_sendErrors + loss + m_duplicates + stormMissing
                      + historyUnanswered);
    if (!m_errors.isEmpty())
        result.insert(u"error_samples"_s, QJsonArray::fromStringList(m_errors));
    // One thread drives all of this process's connections: near a full core, the loader
    // and not the relay may be what limits the figures.
    const double wall = double(m_clock.elapsed()) / 1000.0;
    const double loaderShare = wall > 0 ? loaderCpu / wall : 0;
    if (loaderShare > 0.85)
        result.insert(u"warning"_s,
                      u"the loader was busy %1% of the time: it may be the bottleneck"_s.arg(
                          qRound(loaderShare * 100)));
    for (const auto &client : m_clients) {
        if (client->socket) {
            client->socket->disconnect(this);
            client->socket->close();
        }
    }
    Q_EMIT finished(result);
}

} // namespace tidings::bench
