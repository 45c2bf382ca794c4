// Bad input of every kind gets its documented error or close code; the relay keeps serving
// everyone else; nothing in the store changes; a client that does not read is cut off.
#include "support/protocol_client.h"
#include "support/raw_websocket.h"
#include "support/relay_process.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QtTest>

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

QString code(const QJsonObject &reply)
{
    return ProtocolClient::errorCode(reply);
}

/// A digest of what the store holds, leaving out what merely using the relay changes
/// (session timestamps, last seen).
QByteArray storeContent(const QString &dataDirectory)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"snapshot"_s);
        db.setDatabaseName(dataDirectory + u"/tidings.db"_s);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        if (!db.open())
            qFatal("cannot open the store");
        const QStringList queries = {
            u"SELECT id, username, display_name, password_hash, disabled, hide_last_seen FROM users ORDER BY id"_s,
            u"SELECT * FROM conversations ORDER BY id"_s,
            u"SELECT * FROM members ORDER BY conversation_id, user_id"_s,
            u"SELECT * FROM events ORDER BY conversation_id, seq"_s,
            u"SELECT * FROM blocks ORDER BY blocker_id, blocked_id"_s,
            u"SELECT * FROM reports ORDER BY id"_s,
            u"SELECT count(*) FROM sessions"_s,
        };
        for (const QString &statement : queries) {
            QSqlQuery query(db);
            if (!query.exec(statement))
                qFatal("snapshot query failed");
            while (query.next()) {
                for (int i = 0; i < query.record().count(); ++i)
                    hash.addData(QByteArray(query.value(i).toString().toUtf8() + '\x1f'));
                hash.addData("\x1e");
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(u"snapshot"_s);
    return hash.result().toHex();
}

/// Every field any request reads, each with a value of the wrong type.
QJsonObject wrongTypes()
{
    return {{u"conversation"_s, u"1"_s},
            {u"user"_s, u"x"_s},
            {u"users"_s, u"x"_s},
            {u"text"_s, 5},
            {u"client_id"_s, 7},
            {u"seq"_s, u"2"_s},
            {u"title"_s, 9},
            {u"token"_s, 1},
            {u"username"_s, 2},
            {u"password"_s, 3},
            {u"prefix"_s, 4},
            {u"reason"_s, 5},
            {u"emoji"_s, 6},
            {u"members"_s, QJsonObject{}},
            {u"cursors"_s, u"x"_s},
            {u"versions"_s, u"x"_s},
            {u"limit"_s, u"x"_s},
            {u"delivered_seq"_s, u"x"_s},
            {u"read_seq"_s, u"x"_s},
            {u"role"_s, 1},
            {u"typing"_s, u"x"_s},
            {u"on"_s, u"x"_s},
            {u"display_name"_s, 1},
            {u"hide_last_seen"_s, u"x"_s},
            {u"current_password"_s, 1},
            {u"new_password"_s, 2},
            {u"reply_to"_s, u"x"_s},
            {u"attachments"_s, u"x"_s},
            {u"before"_s, u"x"_s},
            {u"after"_s, u"x"_s},
            {u"device"_s, 5}};
}

// Frame types a signed-in client may send, minus the two that change state with no fields.
const QStringList kSignedInTypes = {u"sessions.list"_s,
                                    u"password.change"_s,
                                    u"profile.update"_s,
                                    u"users.search"_s,
                                    u"conversations.list"_s,
                                    u"conversation.get"_s,
                                    u"direct.open"_s,
                                    u"group.create"_s,
                                    u"group.add"_s,
                                    u"group.remove"_s,
                                    u"group.leave"_s,
                                    u"group.rename"_s,
                                    u"group.set_role"_s,
                                    u"user.block"_s,
                                    u"user.unblock"_s,
                                    u"blocks.list"_s,
                                    u"message.send"_s,
                                    u"message.edit"_s,
                                    u"message.delete"_s,
                                    u"message.react"_s,
                                    u"receipt"_s,
                                    u"sync"_s,
                                    u"history"_s,
                                    u"typing"_s,
                                    u"presence.query"_s,
                                    u"report"_s,
                                    u"ping"_s};
// Those of them that need no field at all (they may succeed whatever else they carry).
const QStringList kFieldless = {u"sessions.list"_s, u"conversations.list"_s, u"blocks.list"_s,
                                u"ping"_s,          u"profile.update"_s,     u"sync"_s};

/// Reads from `socket` until `enough` says so or the peer closes; returns what came.
QByteArray readUntil(QTcpSocket &socket, const std::function<bool(const QByteArray &)> &enough,
                     int timeoutMs = 10000)
{
    QByteArray received;
    QElapsedTimer timer;
    timer.start();
    while (!enough(received) && timer.elapsed() < timeoutMs) {
        if (socket.bytesAvailable() == 0 && !socket.waitForReadyRead(100)
            && socket.state() != QAbstractSocket::ConnectedState)
            break;
        received += socket.readAll();
    }
    return received + socket.readAll();
}

/// One masked client frame (opcode 1 text, 8 close, 9 ping), small payloads only.
QByteArray maskedFrame(int opcode, const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    frame.append(char(0x80 | payload.size()));
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    return frame;
}

/// The resident memory of process `pid`, in KiB (0 when it cannot be read).
qint64 residentKiB(qint64 pid)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.sliced(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

/// For readUntil(): read until the peer closes; until a response head has come.
const auto closed = [](const QByteArray &) { return false; };
const auto answered = [](const QByteArray &bytes) { return bytes.contains("\r\n\r\n"); };

/// The length of the response at the start of `bytes`, head and body (as its Content-Length
/// says); -1 while the head is incomplete.
qsizetype responseLength(const QByteArray &bytes)
{
    const qsizetype headEnd = bytes.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return -1;
    qint64 body = 0;
    for (const QByteArray &line : bytes.first(headEnd).split('\n')) {
        if (line.toLower().startsWith("content-length:"))
            body = line.sliced(15).trimmed().toLongLong();
    }
    return headEnd + 4 + body;
}

/// A TCP client on the socket API itself, for requests whose body the relay refuses.
/// QTcpSocket cannot be that client: when one of its writes meets the peer's reset it
/// aborts, throwing away what it had read and not yet handed over (the very answer under
/// test), where the kernel keeps what arrived before a reset readable.
class RawClient
{
public:
    /// How the connection ended, as this client saw it.
    enum class End { Open, Closed, Reset };

    RawClient() = default;
    RawClient(const RawClient &) = delete;
    RawClient &operator=(const RawClient &) = delete;
    ~RawClient()
    {
        if (m_descriptor >= 0)
            ::close(m_descriptor);
    }

    bool connectTo(quint16 port)
    {
        m_descriptor = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return m_descriptor >= 0
            && ::connect(m_descriptor, reinterpret_cast<const sockaddr *>(&address), sizeof address)
            == 0
            && ::fcntl(m_descriptor, F_SETFL, ::fcntl(m_descriptor, F_GETFL) | O_NONBLOCK) == 0;
    }

    End end() const { return m_end; }

    /// Sends all of `bytes` as the relay takes them, reading nothing meanwhile (as a client
    /// busy sending does). False when the connection ended first.
    bool send(QByteArrayView bytes)
    {
        QDeadlineTimer deadline(kWaitMs);
        while (!bytes.isEmpty() && m_end == End::Open && !deadline.hasExpired()) {
            if (!wait(POLLOUT))
                continue;
            const ssize_t sent = ::send(m_descriptor, bytes.data(),
                                        size_t(std::min(bytes.size(), kSlice)), MSG_NOSIGNAL);
            if (sent > 0)
                bytes = bytes.sliced(sent);
            else if (sent < 0 && errno != EAGAIN && errno != EINTR)
                return false; // the relay's reset; what came before it is still to be read
        }
        return bytes.isEmpty();
    }

    /// Sends `bytes` `times` over as fast as the relay takes them, as a careful client sends
    /// a body: it reads before each write and stops sending as soon as an answer begins
    /// (RFC 9112, "Failures and Timeouts"); then reads until the relay ends the connection.
    /// Returns everything that came.
    QByteArray floodUntilAnswered(const QByteArray &bytes, int times)
    {
        QDeadlineTimer deadline(kWaitMs);
        qsizetype at = 0;
        while (times > 0 && m_received.isEmpty() && m_end == End::Open && !deadline.hasExpired()) {
            const short events = wait(POLLIN | POLLOUT);
            if (events & (POLLIN | POLLHUP | POLLERR)) {
                receive();
                continue;
            }
            if (!(events & POLLOUT))
                continue;
            const ssize_t sent = ::send(m_descriptor, bytes.constData() + at,
                                        size_t(std::min(bytes.size() - at, kSlice)), MSG_NOSIGNAL);
            if (sent < 0 && errno != EAGAIN && errno != EINTR)
                break; // the relay's reset: the answer it sent before is read below
            at += std::max<qsizetype>(sent, 0);
            if (at == bytes.size()) {
                at = 0;
                --times;
            }
        }
        return readUntil(closed);
    }

    /// Reads until `enough` says so or the connection ends; returns what came and was not
    /// taken before.
    QByteArray readUntil(const std::function<bool(const QByteArray &)> &enough)
    {
        QDeadlineTimer deadline(kWaitMs);
        while (!enough(m_received) && m_end == End::Open && !deadline.hasExpired()) {
            if (wait(POLLIN) != 0)
                receive();
        }
        return std::exchange(m_received, {});
    }

    /// Reads one whole response, its body as long as its head says, and leaves what follows.
    QByteArray readResponse()
    {
        QByteArray received = readUntil([](const QByteArray &bytes) {
            const qsizetype length = responseLength(bytes);
            return length >= 0 && bytes.size() >= length;
        });
        const qsizetype length
            = std::clamp<qsizetype>(responseLength(received), 0, received.size());
        m_received = received.sliced(length);
        return received.first(length);
    }

private:
    static constexpr qsizetype kSlice = 64 * 1024;
    static constexpr int kWaitMs = 10000;

    /// The events among `events` (and POLLHUP, POLLERR) the socket has now, or after up to
    /// 100 ms.
    short wait(short events)
    {
        pollfd entry{m_descriptor, events, 0};
        return ::poll(&entry, 1, 100) > 0 ? entry.revents : short(0);
    }

    /// Takes in what has arrived; notes how the connection ended, if it has.
    void receive()
    {
        char buffer[64 * 1024];
        for (;;) {
            const ssize_t got = ::recv(m_descriptor, buffer, sizeof buffer, 0);
            if (got > 0) {
                m_received.append(buffer, got);
                continue;
            }
            if (got == 0)
                m_end = End::Closed;
            else if (errno != EAGAIN && errno != EINTR)
                m_end = End::Reset;
            return;
        }
    }

    int m_descriptor = -1;
    QByteArray m_received;
    End m_end = End::Open;
};

/// Connects `socket` to the relay on `port` (from `source` when given).
bool connectSocket(QTcpSocket &socket, quint16 port, const QString &source = {})
{
    if (!source.isEmpty() && !socket.bind(QHostAddress(source)))
        return false;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(5000);
}

const QByteArray kUpgradeHead
    = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n";

} // namespace

class TestHostileInput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void badFramesChangeNothing()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        QString eveToken;
        QString bobToken;
        qint64 conversation = 0;
        {
            ProtocolClient alice, bob, eve;
            QVERIFY(alice.signUp(relay.webSocketUrl(), u"alice"_s));
            QVERIFY(bob.open(relay.webSocketUrl()));
            const QJsonObject bobAccount = bob.registerUser(u"bob"_s);
            bobToken = bobAccount.value(u"token"_s).toString();
            const qint64 bobId = bobAccount.value(u"user"_s).toObject().value(u"id"_s).toInteger();
            QVERIFY(eve.open(relay.webSocketUrl()));
            eveToken = eve.registerUser(u"eve"_s).value(u"token"_s).toString();
            conversation = alice
                               .request(u"group.create"_s,
                                        {{u"title"_s, u"Us"_s}, {u"members"_s, QJsonArray{bobId}}})
                               .value(u"conversation"_s)
                               .toObject()
                               .value(u"id"_s)
                               .toInteger();
            for (int i = 0; i < 5; ++i)
                alice.request(u"message.send"_s,
                              {{u"conversation"_s, conversation},
                               {u"client_id"_s, u"m%1"_s.arg(i)},
                               {u"text"_s, u"hi"_s}});
        }
        QCOMPARE(relay.stop(), 0);
        const QByteArray before = storeContent(relay.dataDirectory());
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));

        // Bob resumes his session (a login would add one, and the store would differ).
        ProtocolClient bob;
        QVERIFY(bob.open(relay.webSocketUrl()));
        QVERIFY(bob.hello());
        QVERIFY(ProtocolClient::isOk(bob.request(u"auth"_s, {{u"token"_s, bobToken}})));
        ProtocolClient eve;
        QVERIFY(eve.open(relay.webSocketUrl()));

        // Before hello, before signing in.
        QCOMPARE(code(eve.request(u"message.send"_s,
                                  {{u"conversation"_s, conversation},
                                   {u"client_id"_s, u"e"_s},
                                   {u"text"_s, u"x"_s}})),
                 u"bad_request"_s);
        QVERIFY(eve.hello());
        QCOMPARE(code(eve.request(u"message.send"_s,
                                  {{u"conversation"_s, conversation},
                                   {u"client_id"_s, u"e"_s},
                                   {u"text"_s, u"x"_s}})),
                 u"unauthorized"_s);
        QCOMPARE(code(eve.request(u"history"_s, {{u"conversation"_s, conversation}})),
                 u"unauthorized"_s);
        QVERIFY(ProtocolClient::isOk(eve.request(u"auth"_s, {{u"token"_s, eveToken}})));

        // Not frames at all.
        const QStringList garbage = {u"{"_s,
                                     u"null"_s,
                                     u"[]"_s,
                                     u"\"hello\""_s,
                                     u"42"_s,
                                     u"{\"type\":\"ping\",}"_s,
                                     u"{\"type\":\"ping\"}{\"type\":\"ping\"}"_s,
                                     QString(),
                                     u"{\"type\":[]}"_s,
                                     u"{\"id\":\"1\"}"_s,
                                     u"{\"type\":\"ping\",\"id\":17}"_s};
        for (const QString &text : garbage) {
            eve.sendText(text);
            const QJsonObject reply = eve.next(u"error"_s);
            QVERIFY2(code(reply) == u"bad_request", qPrintable(text));
        }
        // A frame with an id but no usable type: the one reply carries the id (§2).
        for (const QString &text : {u"{\"id\":\"x1\"}"_s, u"{\"id\":\"x1\",\"type\":5}"_s,
                                    u"{\"id\":\"x1\",\"type\":\"Bad Type\"}"_s}) {
            eve.sendText(text);
            const QJsonObject reply = eve.next(u"error"_s);
            QCOMPARE(code(reply), u"bad_request"_s);
            QVERIFY2(reply.value(u"id"_s).toString() == u"x1", qPrintable(text));
        }
        eve.socket().sendBinaryMessage(QByteArray(1000, '\0'));
        QCOMPARE(code(eve.next(u"error"_s)), u"bad_request"_s);
        QCOMPARE(code(eve.request(u"no.such.type"_s)), u"unsupported"_s);
        QCOMPARE(code(eve.request(u"hello"_s, {{u"versions"_s, QJsonArray{1}}})), u"bad_request"_s);

        // Missing fields, then every field of the wrong type, for every frame type.
        for (const QString &type : kSignedInTypes) {
            const QJsonObject bare = eve.request(type);
            QVERIFY2(code(bare) == u"bad_request"
                         || (kFieldless.contains(type) && ProtocolClient::isOk(bare)),
                     qPrintable(type + u": "_s + QString::fromUtf8(QJsonDocument(bare).toJson())));
            const QJsonObject wrong = eve.request(type, wrongTypes());
            QVERIFY2(code(wrong) == u"bad_request"
                         || (type == u"ping" && ProtocolClient::isOk(wrong))
                         || (type == u"conversations.list" || type == u"sessions.list"
                             || type == u"blocks.list"),
                     qPrintable(type + u": "_s + QString::fromUtf8(QJsonDocument(wrong).toJson())));
            QVERIFY(code(wrong) != u"internal");
        }

        // Numbers that are not ids.
        for (const QJsonValue &bad : {QJsonValue(1e300), QJsonValue(-1), QJsonValue(1.5),
                                      QJsonValue(0), QJsonValue(9007199254740993.0)}) {
            QCOMPARE(code(eve.request(u"history"_s, {{u"conversation"_s, bad}})), u"bad_request"_s);
        }

        // Huge arrays and deep nesting, inside the frame size limit.
        QJsonArray many;
        for (int i = 1; i <= 30000; ++i)
            many.append(i);
        QCOMPARE(
            code(eve.request(u"group.create"_s, {{u"title"_s, u"Mob"_s}, {u"members"_s, many}})),
            u"bad_request"_s);
        QCOMPARE(code(eve.request(u"presence.query"_s, {{u"users"_s, many}})), u"bad_request"_s);
        eve.sendText(u"{\"type\":\"ping\",\"id\":\"deep\",\"x\":"_s + QString(3000, u'[')
                     + QString(3000, u']') + u"}"_s);
        QCOMPARE(code(eve.next(u"error"_s)), u"bad_request"_s);
        const QJsonObject bigText = eve.request(u"message.send"_s,
                                                {{u"conversation"_s, conversation},
                                                 {u"client_id"_s, u"big"_s},
                                                 {u"text"_s, QString(70000, u'x')}});
        QVERIFY(code(bigText) == u"not_found" || code(bigText) == u"too_large");

        // Eve is no member: her attempts at the group changed nothing either.
        QCOMPARE(code(eve.request(u"message.send"_s,
                                  {{u"conversation"_s, conversation},
                                   {u"client_id"_s, u"in"_s},
                                   {u"text"_s, u"let me in"_s}})),
                 u"not_found"_s);

        // Invalid UTF-8 in a text frame: closed with 1007, by the WebSocket layer.
        RawWebSocket raw;
        QVERIFY(raw.open(relay.port()));
        raw.sendText(QByteArray("{\"type\":\"hello\",\"id\":\"\xff\xfe\"}"));
        QCOMPARE(raw.waitForClose(), 1007);

        // A message over max-frame-bytes: closed with 1009.
        ProtocolClient flood;
        QVERIFY(flood.open(relay.webSocketUrl()));
        flood.sendText(QString(300 * 1024, u'x'));
        QCOMPARE(flood.waitForClose(), 1009);
        // Before signing in, one over 16 KiB is too big already (what someone without an
        // account can make the relay hold stays small); signed in, the same one is fine.
        ProtocolClient early;
        QVERIFY(early.open(relay.webSocketUrl()));
        early.sendText(
            u"{\"type\":\"ping\",\"id\":\"p\",\"pad\":\"%1\"}"_s.arg(QString(17 * 1024, u'x')));
        QCOMPARE(early.waitForClose(), 1009);
        QVERIFY(
            ProtocolClient::isOk(bob.request(u"ping"_s, {{u"pad"_s, QString(17 * 1024, u'x')}})));

        // All along, Bob was served.
        QVERIFY(ProtocolClient::isOk(bob.request(u"ping"_s)));
        QCOMPARE(bob.request(u"history"_s, {{u"conversation"_s, conversation}})
                     .value(u"events"_s)
                     .toArray()
                     .size(),
                 6);
        QCOMPARE(relay.stop(), 0);
        QCOMPARE(storeContent(relay.dataDirectory()), before);
    }

    void theAcceptPathReadsHeadsStrictly()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        const auto connectTo
            = [&relay](QTcpSocket &socket) { return connectSocket(socket, relay.port()); };
        // A connection that never sends its head is dropped after 10 s (checked last).
        QTcpSocket silent;
        QVERIFY(connectTo(silent));
        silent.write("GET /ws HTTP/1.1\r\n");
        QElapsedTimer silentFor;
        silentFor.start();
        // So is an HTTP connection kept open after its answer, after 15 s of silence.
        QTcpSocket keptAlive;
        QVERIFY(connectTo(keptAlive));
        keptAlive.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(readUntil(keptAlive, [](const QByteArray &bytes) {
                    return bytes.contains("\r\n\r\n");
                }).startsWith("HTTP/1.1 200 "));

        // A head that dribbles in byte by byte, with a frame right behind it: upgraded,
        // and the frame answered.
        {
            QTcpSocket socket;
            QVERIFY(connectTo(socket));
            const QByteArray hello
                = maskedFrame(1, R"({"type":"hello","id":"h","versions":[1],"client":"raw"})");
            for (qsizetype i = 0; i + 1 < kUpgradeHead.size(); ++i) {
                socket.write(kUpgradeHead.mid(i, 1));
                socket.waitForBytesWritten(1000);
                if (i % 16 == 0)
                    QTest::qWait(1);
            }
            socket.write(kUpgradeHead.right(1) + hello);
            const QByteArray reply = readUntil(
                socket, [](const QByteArray &bytes) { return bytes.contains(R"("id":"h")"); });
            QVERIFY2(reply.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), reply.constData());
            QVERIFY(reply.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
            QVERIFY(reply.contains(R"("type":"result")"));

            // A ping is answered with its payload; a close with the same code, and the
            // relay ends the connection.
            socket.write(maskedFrame(9, "are you there"));
            QVERIFY(readUntil(socket, [](const QByteArray &bytes) {
                        return bytes.contains("are you there");
                    }).startsWith(QByteArray("\x8a\x0d", 2)));
            socket.write(maskedFrame(8, QByteArray("\x0f\xa0", 2) + "done")); // 4000
            QCOMPARE(readUntil(socket, closed).left(4), QByteArray("\x88\x02\x0f\xa0", 4));
            QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
        }

        // A head that never ends is cut off at 8 KiB.
        {
            QTcpSocket socket;
            QVERIFY(connectTo(socket));
            socket.write("GET /ws HTTP/1.1\r\nX-Padding: " + QByteArray(9000, 'x'));
            QVERIFY(readUntil(socket, closed).startsWith("HTTP/1.1 431 "));
        }

        // A wrong WebSocket version is told which one to speak.
        {
            QTcpSocket socket;
            QVERIFY(connectTo(socket));
            socket.write(QByteArray(kUpgradeHead).replace("Version: 13", "Version: 8"));
            const QByteArray reply = readUntil(socket, closed);
            QVERIFY2(reply.startsWith("HTTP/1.1 426 "), reply.constData());
            QVERIFY(reply.contains("Sec-WebSocket-Version: 13\r\n"));
        }

        // Plain HTTP on the same port, the whole request in one packet: the HTTP server
        // gets it whole (the head was only looked at).
        for (const char *request : {"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                    "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"}) {
            QTcpSocket socket;
            QVERIFY(connectTo(socket));
            socket.write(request);
            const QByteArray reply = readUntil(
                socket, [](const QByteArray &bytes) { return bytes.contains("\r\n\r\n"); });
            QVERIFY2(reply.startsWith(QByteArray(request).contains("healthz") ? "HTTP/1.1 200 "
                                                                              : "HTTP/1.1 426 "),
                     reply.constData());
        }

        QVERIFY(silent.state() == QAbstractSocket::ConnectedState);
        QVERIFY(readUntil(silent, closed, 15000).isEmpty());
        QCOMPARE(silent.state(), QAbstractSocket::UnconnectedState);
        QVERIFY(silentFor.elapsed() >= 9000);
        QCOMPARE(keptAlive.state(), QAbstractSocket::ConnectedState);
        readUntil(keptAlive, closed, 15000);
        QCOMPARE(keptAlive.state(), QAbstractSocket::UnconnectedState);
        QVERIFY(silentFor.elapsed() >= 14000);
        QCOMPARE(relay.stop(), 0);
    }

    void httpBuffersNothingBig()
    {
        // Outside the WebSocket: bodies nobody reads and heads past 16 KiB, on any request
        // of a connection, cost the relay no memory; a trickle does not keep a connection.
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        const auto connectTo
            = [&relay](QTcpSocket &socket) { return connectSocket(socket, relay.port()); };
        QTest::qWait(500);
        const qint64 idle = residentKiB(relay.processId());
        QVERIFY(idle > 0);

        // A trickle: the second request's head, a byte a second, is cut off at the
        // keep-alive limit (15 s from the first answer), not kept for as long as it lasts.
        QTcpSocket trickle;
        QVERIFY(connectTo(trickle));
        trickle.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(readUntil(trickle, answered).startsWith("HTTP/1.1 200 "));
        QElapsedTimer trickling;
        trickling.start();
        QTimer dribble;
        connect(&dribble, &QTimer::timeout, &trickle, [&trickle] {
            if (trickle.state() == QAbstractSocket::ConnectedState)
                trickle.write("x");
        });
        dribble.start(1000);

        // Each of these clients sends as fast as the relay takes it until the answer comes,
        // then reads the answer and the relay's close (not a reset: the relay lingers).
        // 256 MiB declared on a health check: answered, the body thrown away unread, closed.
        {
            RawClient client;
            QVERIFY(client.connectTo(relay.port()));
            QVERIFY(client.send(
                "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 268435456\r\n\r\n"));
            const QByteArray reply = client.floodUntilAnswered(QByteArray(1024 * 1024, 'b'), 256);
            QVERIFY2(reply.startsWith("HTTP/1.1 405 "), reply.left(200).constData());
            QCOMPARE(client.end(), RawClient::End::Closed);
        }
        // Chunked: refused before any of it is read.
        {
            RawClient client;
            QVERIFY(client.connectTo(relay.port()));
            QVERIFY(client.send(
                "POST /readyz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
            const QByteArray reply
                = client.floodUntilAnswered("100000\r\n" + QByteArray(0x100000, 'c') + "\r\n", 64);
            QVERIFY2(reply.startsWith("HTTP/1.1 411 "), reply.left(200).constData());
            QCOMPARE(client.end(), RawClient::End::Closed);
        }
        // A huge head on the second request of a kept-alive connection: 431 at 16 KiB.
        {
            RawClient client;
            QVERIFY(client.connectTo(relay.port()));
            QVERIFY(client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
            const QByteArray metrics = client.readResponse();
            QVERIFY2(metrics.startsWith("HTTP/1.1 200 "), metrics.left(300).constData());
            QVERIFY(client.send("GET /healthz HTTP/1.1\r\nX-Padding: "));
            const QByteArray reply = client.floodUntilAnswered(QByteArray(1024 * 1024, 'h'), 128);
            QVERIFY2(reply.startsWith("HTTP/1.1 431 "), reply.left(300).constData());
            QCOMPARE(client.end(), RawClient::End::Closed);
        }
        const qint64 after = residentKiB(relay.processId());
        QVERIFY2(after - idle < 32 * 1024,
                 qPrintable(u"resident memory went from %1 to %2 KiB"_s.arg(idle).arg(after)));

        // Unknown paths are 404 with a JSON error; a healthy client is served meanwhile.
        {
            QTcpSocket socket;
            QVERIFY(connectTo(socket));
            socket.write("GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n"
                         "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            const QByteArray replies = readUntil(socket, closed);
            QVERIFY2(replies.startsWith("HTTP/1.1 404 "), replies.constData());
            QVERIFY(replies.contains(R"("error":"not_found")"));
            QVERIFY(replies.contains("HTTP/1.1 200 "));
        }

        QVERIFY(readUntil(trickle, closed, 30000).isEmpty());
        QCOMPARE(trickle.state(), QAbstractSocket::UnconnectedState);
        QVERIFY2(trickling.elapsed() < 25000, qPrintable(QString::number(trickling.elapsed())));
        QCOMPARE(relay.stop(), 0);
    }

    void aRefusalOutlivesTheBodyStillComing()
    {
        // A client learns that the relay will not read its body only when it reads the
        // answer; until it looks (curl, between two writes) it goes on sending. What it sent
        // meanwhile must not make the relay reset the connection, or the client's next write
        // fails and it never sees the answer (curl: "Send failure: Broken pipe", no 405).
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        // 48 MiB sent without a look at the answer: more than the socket buffers between the
        // two can hold (Linux lets them grow to 32 + 4 MiB here), so the relay must have read
        // it and thrown it away.
        const QByteArray body(48 * 1024 * 1024, 'b');
        // A request head refused on an HTTP connection, with the body behind it.
        {
            RawClient client;
            QVERIFY(client.connectTo(relay.port()));
            QVERIFY(client.send(
                "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 268435456\r\n\r\n"));
            QVERIFY(client.send(body));
            const QByteArray reply = client.readResponse();
            QVERIFY2(reply.startsWith("HTTP/1.1 405 "), reply.left(200).constData());
            QVERIFY(client.readUntil(closed).isEmpty());
            QCOMPARE(client.end(), RawClient::End::Closed);
        }
        // The first head of a connection, refused by the gateway itself (past 8 KiB).
        {
            RawClient client;
            QVERIFY(client.connectTo(relay.port()));
            QVERIFY(client.send("GET /healthz HTTP/1.1\r\nX-Padding: "));
            QVERIFY(client.send(body));
            const QByteArray reply = client.readResponse();
            QVERIFY2(reply.startsWith("HTTP/1.1 431 "), reply.left(200).constData());
            QVERIFY(client.readUntil(closed).isEmpty());
            QCOMPARE(client.end(), RawClient::End::Closed);
        }
        // The relay serves on.
        RawClient healthy;
        QVERIFY(healthy.connectTo(relay.port()));
        QVERIFY(healthy.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
        QVERIFY(healthy.readResponse().startsWith("HTTP/1.1 200 "));
        QCOMPARE(relay.stop(), 0);
    }

    void oneAddressCannotTakeEverySlot()
    {
        RelayProcess relay;
        QVERIFY2(relay.start({u"--max-connections-per-address"_s, u"12"_s,
                              u"--max-pending-per-address"_s, u"4"_s}),
                 qPrintable(relay.lastError()));
        const auto connectFrom = [&relay](QTcpSocket &socket, const char *source) {
            return connectSocket(socket, relay.port(), QString::fromLatin1(source));
        };
        const auto healthy = [&](const char *source) {
            QTcpSocket socket;
            if (!connectFrom(socket, source))
                return false;
            socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            return readUntil(socket, closed).startsWith("HTTP/1.1 200 ");
        };
        // Connections that say nothing: four are waited for, the fifth is closed at once.
        std::vector<std::unique_ptr<QTcpSocket>> held;
        for (int i = 0; i < 4; ++i) {
            held.push_back(std::make_unique<QTcpSocket>());
            QVERIFY(connectFrom(*held.back(), "127.0.0.1"));
        }
        QTest::qWait(200);
        {
            QTcpSocket fifth;
            QVERIFY(connectFrom(fifth, "127.0.0.1"));
            QVERIFY(readUntil(fifth, closed, 5000).isEmpty());
            QCOMPARE(fifth.state(), QAbstractSocket::UnconnectedState);
        }
        QVERIFY(healthy("127.0.0.2")); // others are served meanwhile
        // Once they have asked for something they no longer wait, but still count: with
        // kept-alive HTTP and WebSockets, twelve in all, and the thirteenth is refused.
        for (auto &socket : held) {
            socket->write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            QVERIFY(readUntil(*socket, answered).startsWith("HTTP/1.1 200 "));
        }
        while (held.size() < 12) {
            held.push_back(std::make_unique<QTcpSocket>());
            QVERIFY(connectFrom(*held.back(), "127.0.0.1"));
            if (held.size() % 2 == 0) {
                held.back()->write(kUpgradeHead);
                QVERIFY(readUntil(*held.back(), answered).startsWith("HTTP/1.1 101 "));
            } else {
                held.back()->write("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
                QVERIFY(readUntil(*held.back(), answered).startsWith("HTTP/1.1 200 "));
            }
        }
        QVERIFY(!healthy("127.0.0.1"));
        QVERIFY(healthy("127.0.0.3"));
        // One goes (a WebSocket): its place is free again.
        held.back()->abort();
        held.pop_back();
        QTRY_VERIFY(healthy("127.0.0.1"));
        QCOMPARE(relay.stop(), 0);
    }

    void aClientThatDoesNotReadIsCutOff()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        ProtocolClient alice;
        QVERIFY(alice.signUp(relay.webSocketUrl(), u"alice"_s));
        QString slothToken;
        qint64 slothId = 0;
        {
            ProtocolClient sloth;
            slothId = sloth.signUp(relay.webSocketUrl(), u"sloth"_s);
            QVERIFY(slothId);
        }
        {
            ProtocolClient login;
            QVERIFY(login.open(relay.webSocketUrl()));
            QVERIFY(login.hello());
            slothToken
                = login
                      .request(u"login"_s,
                               {{u"username"_s, u"sloth"_s}, {u"password"_s, u"correct horse"_s}})
                      .value(u"token"_s)
                      .toString();
        }
        QVERIFY(!slothToken.isEmpty());
        const qint64 direct = alice.request(u"direct.open"_s, {{u"user"_s, slothId}})
                                  .value(u"conversation"_s)
                                  .toObject()
                                  .value(u"id"_s)
                                  .toInteger();

        // The sloth signs in by hand, then never reads a byte.
        RawWebSocket sloth;
        // A small kernel buffer (no autotuning) and no reading at all.
        sloth.socket().setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 8192);
        QVERIFY(sloth.open(relay.port()));
        sloth.socket().setReadBufferSize(1);
        sloth.sendText(R"({"type":"hello","id":"1","versions":[1]})");
        sloth.sendText(
            QJsonDocument(
                QJsonObject{{u"type"_s, u"auth"_s}, {u"id"_s, u"2"_s}, {u"token"_s, slothToken}})
                .toJson(QJsonDocument::Compact));
        QTRY_COMPARE_WITH_TIMEOUT(
            alice.request(u"presence.query"_s, {{u"users"_s, QJsonArray{slothId}}})
                .value(u"presence"_s)
                .toArray()
                .first()
                .toObject()
                .value(u"online"_s)
                .toBool(),
            true, 10000);

        // Messages for it until the relay's queue limit (8 MiB) is passed and it is cut off;
        // 64 MB at most.
        const QString chunk(60000, u'z');
        const auto slothOnline = [&] {
            return alice.request(u"presence.query"_s, {{u"users"_s, QJsonArray{slothId}}})
                .value(u"presence"_s)
                .toArray()
                .first()
                .toObject()
                .value(u"online"_s)
                .toBool();
        };
        int sent = 0;
        while (slothOnline() && sent < 1100) {
            QStringList ids;
            for (int i = 0; i < 50; ++i, ++sent)
                ids.append(alice.post(u"message.send"_s,
                                      {{u"conversation"_s, direct},
                                       {u"client_id"_s, u"f%1"_s.arg(sent)},
                                       {u"text"_s, chunk}}));
            for (const QString &id : std::as_const(ids))
                QVERIFY(ProtocolClient::isOk(alice.reply(id)));
        }
        QVERIFY2(!slothOnline(), qPrintable(u"still connected after %1 messages"_s.arg(sent)));
        QVERIFY(sent * 60000 > 8 * 1024 * 1024); // the queue limit, not something else, did it
        QVERIFY(ProtocolClient::isOk(alice.request(u"ping"_s)));
        QCOMPARE(relay.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestHostileInput)
#include "tst_hostile_input.moc"
