// The media HTTP API against the real relay: uploads in chunks, resuming, completing with
// size, SHA-256 and type checks, downloads with Range, who may download, limits, hostile
// input, and media going away with the messages that referred to it.
#include "support/file_helpers.h"
#include "support/http_helpers.h"
#include "support/protocol_client.h"
#include "support/relay_process.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QtTest>

using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

using Headers = QList<std::pair<QByteArray, QByteArray>>;

/// A 2 × 2 PNG.
QByteArray png()
{
    return QByteArray::fromBase64("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DA"
                                  "wMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==");
}

/// A signed-up user: protocol connection, id and session token.
struct User
{
    std::unique_ptr<ProtocolClient> client = std::make_unique<ProtocolClient>();
    qint64 id = 0;
    QByteArray token;

    Headers auth(Headers more = {}) const
    {
        more.prepend({"Authorization", "Bearer " + token});
        return more;
    }
};

} // namespace

class TestMedia : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;
    int m_users = 0;

    User signUp(RelayProcess &relay)
    {
        User user;
        const QString name = u"media%1"_s.arg(++m_users);
        if (!user.client->open(relay.webSocketUrl()))
            return user;
        const QJsonObject result = user.client->registerUser(name);
        user.id = result.value(u"user"_s).toObject().value(u"id"_s).toInteger();
        user.token = result.value(u"token"_s).toString().toLatin1();
        return user;
    }
    User signUp() { return signUp(m_relay); }

    QUrl url(const QString &path, RelayProcess *relay = nullptr) const
    {
        return (relay ? relay : &m_relay)->httpUrl(path);
    }

    HttpResult create(const User &user, qint64 size, const QString &type, const QString &hash,
                      const QString &name = u"file.bin"_s, RelayProcess *relay = nullptr)
    {
        const QJsonObject fields{
            {u"size"_s, size}, {u"type"_s, type}, {u"sha256"_s, hash}, {u"name"_s, name}};
        return httpRequest("POST", url(u"/v1/media"_s, relay),
                           user.auth({{"Content-Type", "application/json"}}),
                           QJsonDocument(fields).toJson());
    }

    HttpResult patch(const User &user, const QString &id, qint64 offset, const QByteArray &bytes,
                     RelayProcess *relay = nullptr)
    {
        return httpRequest("PATCH", url(u"/v1/media/"_s + id, relay),
                           user.auth({{"Upload-Offset", QByteArray::number(offset)}}), bytes);
    }

    /// Creates, uploads in `chunk`-byte pieces and completes; returns the media id or "".
    QString upload(const User &user, const QByteArray &bytes, const QString &type,
                   qint64 chunk = 1024 * 1024, const QString &name = u"file.bin"_s,
                   RelayProcess *relay = nullptr)
    {
        const HttpResult created = create(user, bytes.size(), type, sha256Hex(bytes), name, relay);
        if (created.status != 201)
            return {};
        const QString id = created.json().value(u"id"_s).toString();
        for (qint64 at = 0; at < bytes.size(); at += chunk) {
            if (patch(user, id, at, bytes.mid(at, chunk), relay).status != 204)
                return {};
        }
        const HttpResult completed
            = httpRequest("POST", url(u"/v1/media/%1/complete"_s.arg(id), relay), user.auth());
        return completed.status == 200 ? id : QString();
    }

    HttpResult download(const User &user, const QString &id, Headers extra = {},
                        RelayProcess *relay = nullptr)
    {
        return httpRequest("GET", url(u"/v1/media/"_s + id, relay), user.auth(std::move(extra)));
    }

    /// Opens a direct conversation between `a` and `b`; returns its id.
    qint64 direct(User &a, User &b)
    {
        const qint64 id = a.client->request(u"direct.open"_s, {{u"user"_s, b.id}})
                              .value(u"conversation"_s)
                              .toObject()
                              .value(u"id"_s)
                              .toInteger();
        b.client->next(u"event"_s); // "created"
        return id;
    }

    QJsonObject sendWith(User &user, qint64 conversation, const QJsonArray &attachments,
                         const QString &clientId)
    {
        return user.client->request(u"message.send"_s,
                                    {{u"conversation"_s, conversation},
                                     {u"client_id"_s, clientId},
                                     {u"attachments"_s, attachments}});
    }

    /// Every file under the relay's data directory, relative to it.
    static QStringList filesUnder(const QString &directory)
    {
        QStringList files;
        QDirIterator it(directory, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext())
            files.append(QDir(directory).relativeFilePath(it.next()));
        return files;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_relay.start(), qPrintable(m_relay.lastError())); }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void roundTrip_data()
    {
        QTest::addColumn<qint64>("size");
        QTest::addColumn<qint64>("chunk");
        QTest::newRow("0 B") << qint64(0) << qint64(1024);
        QTest::newRow("1 B") << qint64(1) << qint64(1024);
        QTest::newRow("5 MiB in 1 MiB chunks") << qint64(5) * 1024 * 1024 << qint64(1024 * 1024);
        QTest::newRow("5 MiB in one chunk") << qint64(5) * 1024 * 1024 << qint64(8 * 1024 * 1024);
    }

    void roundTrip()
    {
        QFETCH(qint64, size);
        QFETCH(qint64, chunk);
        User alice = signUp();
        const QByteArray bytes = randomBytes(size, quint32(size));
        const QString id = upload(alice, bytes, u"application/octet-stream"_s, chunk);
        QVERIFY(!id.isEmpty());
        const HttpResult got = download(alice, id);
        QCOMPARE(got.status, 200);
        QCOMPARE(got.body.size(), bytes.size());
        QCOMPARE(sha256Hex(got.body), sha256Hex(bytes));
        QCOMPARE(got.header("ETag"), '"' + sha256Hex(bytes).toLatin1() + '"');
        QCOMPARE(got.header("X-Content-Type-Options"), "nosniff");
        QVERIFY(got.header("Content-Disposition").startsWith("attachment"));
    }

    void resumesFromTheOffsetAfterABreak()
    {
        User alice = signUp();
        const QByteArray bytes = randomBytes(300'000, 7);
        const HttpResult created
            = create(alice, bytes.size(), u"application/octet-stream"_s, sha256Hex(bytes));
        QCOMPARE(created.status, 201);
        const QString id = created.json().value(u"id"_s).toString();
        QCOMPARE(created.json().value(u"offset"_s).toInteger(), 0);

        // A connection that breaks in the middle of a chunk: what arrived is kept.
        {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_relay.port());
            QVERIFY(socket.waitForConnected(5000));
            socket.write("PATCH /v1/media/" + id.toLatin1()
                         + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + alice.token
                         + "\r\nUpload-Offset: 0\r\nContent-Length: 200000\r\n\r\n");
            socket.write(bytes.first(120'000));
            QVERIFY(socket.waitForBytesWritten(5000));
            QTRY_COMPARE_WITH_TIMEOUT(
                httpRequest("GET", url(u"/v1/media/%1/upload"_s.arg(id)), alice.auth())
                    .json()
                    .value(u"offset"_s)
                    .toInteger(),
                120'000, 10000);
            socket.abort();
        }
        const HttpResult status
            = httpRequest("GET", url(u"/v1/media/%1/upload"_s.arg(id)), alice.auth());
        QCOMPARE(status.status, 200);
        QCOMPARE(status.header("Upload-Offset"), "120000");
        QCOMPARE(status.json().value(u"state"_s).toString(), u"uploading"_s);

        // The wrong offset is refused with the right one.
        const HttpResult wrong = patch(alice, id, 0, bytes.first(10));
        QCOMPARE(wrong.status, 409);
        QCOMPARE(wrong.header("Upload-Offset"), "120000");
        // Completing early says how far it got.
        const HttpResult early
            = httpRequest("POST", url(u"/v1/media/%1/complete"_s.arg(id)), alice.auth());
        QCOMPARE(early.status, 409);

        QCOMPARE(patch(alice, id, 120'000, bytes.sliced(120'000)).status, 204);
        const HttpResult done
            = httpRequest("POST", url(u"/v1/media/%1/complete"_s.arg(id)), alice.auth());
        QCOMPARE(done.status, 200);
        QCOMPARE(done.json().value(u"state"_s).toString(), u"complete"_s);
        QCOMPARE(download(alice, id).body, bytes);
        // Completing again is the same answer; sending more is refused.
        QCOMPARE(httpRequest("POST", url(u"/v1/media/%1/complete"_s.arg(id)), alice.auth()).status,
                 200);
        QCOMPARE(patch(alice, id, bytes.size(), "x").status, 409);
    }

    void resumesAfterTheRelayIsKilled()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        User alice = signUp(relay);
        const QByteArray bytes = randomBytes(3 * 1024 * 1024 + 17, 11);
        const HttpResult created = create(alice, bytes.size(), u"application/octet-stream"_s,
                                          sha256Hex(bytes), u"big.bin"_s, &relay);
        QCOMPARE(created.status, 201);
        const QString id = created.json().value(u"id"_s).toString();
        QCOMPARE(patch(alice, id, 0, bytes.first(1024 * 1024), &relay).status, 204);
        QCOMPARE(
            patch(alice, id, 1024 * 1024, bytes.sliced(1024 * 1024, 1024 * 1024), &relay).status,
            204);

        relay.kill();
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        const HttpResult status
            = httpRequest("GET", url(u"/v1/media/%1/upload"_s.arg(id), &relay), alice.auth());
        QCOMPARE(status.status, 200);
        const qint64 offset = status.json().value(u"offset"_s).toInteger();
        QCOMPARE(offset, 2 * 1024 * 1024); // acknowledged chunks survive, nothing from zero
        QCOMPARE(patch(alice, id, offset, bytes.sliced(offset), &relay).status, 204);
        QCOMPARE(httpRequest("POST", url(u"/v1/media/%1/complete"_s.arg(id), &relay), alice.auth())
                     .status,
                 200);
        QCOMPARE(sha256Hex(download(alice, id, {}, &relay).body), sha256Hex(bytes));
        QCOMPARE(relay.stop(), 0);
    }

    void onlyMembersWhoSeeTheMessageMayDownload()
    {
        User alice = signUp();
        User bob = signUp();
        User carol = signUp();
        const qint64 conversation = direct(alice, bob);
        const QByteArray bytes = png();
        const QString id = upload(alice, bytes, u"image/png"_s, 1024, u"dot.png"_s);
        QVERIFY(!id.isEmpty());

        // Before it is sent, only its owner may fetch it.
        QCOMPARE(download(alice, id).status, 200);
        QCOMPARE(download(bob, id).status, 404);
        QVERIFY(download(bob, id).json().value(u"code"_s) == u"not_found"_s);

        const QJsonObject sent = sendWith(
            alice, conversation,
            {QJsonObject{{u"media"_s, id}, {u"width"_s, 2}, {u"height"_s, 2}, {u"size"_s, 1}}},
            u"m1"_s);
        QVERIFY2(ProtocolClient::isOk(sent), qPrintable(sent.value(u"message"_s).toString()));
        // The relay states size, type and hash itself, whatever the client said.
        const QJsonObject attachment = sent.value(u"event"_s)
                                           .toObject()
                                           .value(u"attachments"_s)
                                           .toArray()
                                           .first()
                                           .toObject();
        QCOMPARE(attachment.value(u"size"_s).toInteger(), bytes.size());
        QCOMPARE(attachment.value(u"type"_s).toString(), u"image/png"_s);
        QCOMPARE(attachment.value(u"sha256"_s).toString(), sha256Hex(bytes));
        QCOMPARE(attachment.value(u"name"_s).toString(), u"dot.png"_s);

        const HttpResult bobs = download(bob, id);
        QCOMPARE(bobs.status, 200);
        QCOMPARE(bobs.body, bytes);
        QCOMPARE(bobs.header("Content-Type"), "image/png");
        QVERIFY(bobs.header("Content-Disposition").startsWith("inline"));
        QCOMPARE(download(carol, id).status, 404);
        // Carol cannot send it on either: she may not read it.
        const qint64 carolAndBob = direct(carol, bob);
        QCOMPARE(ProtocolClient::errorCode(
                     sendWith(carol, carolAndBob, {QJsonObject{{u"media"_s, id}}}, u"c1"_s)),
                 u"not_found"_s);
        // Bob, who may read it, may send it on.
        QVERIFY(ProtocolClient::isOk(
            sendWith(bob, carolAndBob, {QJsonObject{{u"media"_s, id}}}, u"b1"_s)));
        QCOMPARE(download(carol, id).status, 200);

        // No token, a wrong token: 401.
        QCOMPARE(httpRequest("GET", url(u"/v1/media/"_s + id)).status, 401);
        QCOMPARE(
            httpRequest("GET", url(u"/v1/media/"_s + id), {{"Authorization", "Bearer not-a-token"}})
                .status,
            401);
        // Someone else's upload cannot be continued, completed or cancelled.
        QCOMPARE(patch(bob, id, 0, "x").status, 404);
        QCOMPARE(httpRequest("DELETE", url(u"/v1/media/"_s + id), bob.auth()).status, 404);
    }

    void signedLinksWorkWithoutAToken()
    {
        User alice = signUp();
        const QByteArray bytes = randomBytes(4096, 3);
        const QString id = upload(alice, bytes, u"application/octet-stream"_s);
        const HttpResult link
            = httpRequest("POST", url(u"/v1/media/%1/link"_s.arg(id)), alice.auth());
        QCOMPARE(link.status, 200);
        const QString path = link.json().value(u"url"_s).toString();
        QVERIFY(path.startsWith(u"/v1/media/"_s + id));
        QVERIFY(link.json().value(u"expires_at"_s).toInteger()
                > QDateTime::currentMSecsSinceEpoch());
        const HttpResult got = httpRequest("GET", m_relay.httpUrl().resolved(QUrl(path)),
                                           {{"Range", "bytes=100-199"}});
        QCOMPARE(got.status, 206);
        QCOMPARE(got.body, bytes.sliced(100, 100));
        // A link for another media, or altered, is refused.
        QString tampered = path;
        tampered.replace(u"sig="_s, u"sig=A"_s);
        QCOMPARE(httpRequest("GET", m_relay.httpUrl().resolved(QUrl(tampered))).status, 403);
        const QRegularExpression sessionItem(u"session=(\\d+)"_s);
        const qint64 session = sessionItem.match(path).captured(1).toLongLong();
        QVERIFY(session > 0);
        QString otherSession = path;
        otherSession.replace(sessionItem, u"session=%1"_s.arg(session + 1));
        QCOMPARE(httpRequest("GET", m_relay.httpUrl().resolved(QUrl(otherSession))).status, 403);
        // The link dies with the session that made it.
        QVERIFY(ProtocolClient::isOk(alice.client->request(u"logout"_s)));
        QCOMPARE(httpRequest("GET", m_relay.httpUrl().resolved(QUrl(path))).status, 403);
    }

    void rangesAndHead()
    {
        User alice = signUp();
        const QByteArray bytes = randomBytes(10'000, 5);
        const QString id = upload(alice, bytes, u"application/octet-stream"_s);
        HttpResult part = download(alice, id, {{"Range", "bytes=10-19"}});
        QCOMPARE(part.status, 206);
        QCOMPARE(part.body, bytes.sliced(10, 10));
        QCOMPARE(part.header("Content-Range"), "bytes 10-19/10000");
        part = download(alice, id, {{"Range", "bytes=-5"}});
        QCOMPARE(part.body, bytes.last(5));
        part = download(alice, id, {{"Range", "bytes=9990-"}});
        QCOMPARE(part.body, bytes.last(10));
        part = download(alice, id, {{"Range", "bytes=9995-20000"}});
        QCOMPARE(part.body, bytes.last(5));
        const HttpResult beyond = download(alice, id, {{"Range", "bytes=10000-"}});
        QCOMPARE(beyond.status, 416);
        QCOMPARE(beyond.header("Content-Range"), "bytes */10000");
        const HttpResult head = httpRequest("HEAD", url(u"/v1/media/"_s + id), alice.auth());
        QCOMPARE(head.status, 200);
        QCOMPARE(head.header("Content-Length"), "10000");
        QCOMPARE(head.header("Accept-Ranges"), "bytes");
        QVERIFY(head.body.isEmpty());
    }

    void typesAreCheckedAgainstTheContent()
    {
        User alice = signUp();
        // A picture that is not one.
        const QByteArray text = "just some text, not a picture\n";
        const HttpResult created = create(alice, text.size(), u"image/png"_s, sha256Hex(text));
        QCOMPARE(created.status, 201);
        const QString id = created.json().value(u"id"_s).toString();
        QCOMPARE(patch(alice, id, 0, text).status, 204);
        const HttpResult refused
            = httpRequest("POST", url(u"/v1/media/%1/complete"_s.arg(id)), alice.auth());
        QCOMPARE(refused.status, 415);
        QCOMPARE(refused.json().value(u"code"_s).toString(), u"unsupported"_s);
        QCOMPARE(httpRequest("GET", url(u"/v1/media/%1/upload"_s.arg(id)), alice.auth()).status,
                 404);
        // A picture posing as a PDF.
        const HttpResult pdf = create(alice, png().size(), u"application/pdf"_s, sha256Hex(png()));
        const QString pdfId = pdf.json().value(u"id"_s).toString();
        QCOMPARE(patch(alice, pdfId, 0, png()).status, 204);
        QCOMPARE(
            httpRequest("POST", url(u"/v1/media/%1/complete"_s.arg(pdfId)), alice.auth()).status,
            415);
        // The real thing passes, and its declared type is kept in canonical form.
        const HttpResult real = create(alice, png().size(), u"Image/PNG"_s, sha256Hex(png()));
        QCOMPARE(real.json().value(u"type"_s).toString(), u"image/png"_s);
        QVERIFY(!upload(alice, png(), u"image/png"_s).isEmpty());
        QVERIFY(!upload(alice, text, u"text/plain"_s).isEmpty());
        // Something that is not a MIME type at all.
        QCOMPARE(create(alice, 1, u"../../etc"_s, sha256Hex("x")).status, 400);
    }

    void aWrongHashStartsOver()
    {
        User alice = signUp();
        const QByteArray bytes = randomBytes(1000, 9);
        const HttpResult created
            = create(alice, bytes.size(), u"application/octet-stream"_s, sha256Hex("other"));
        const QString id = created.json().value(u"id"_s).toString();
        QCOMPARE(patch(alice, id, 0, bytes).status, 204);
        const HttpResult refused
            = httpRequest("POST", url(u"/v1/media/%1/complete"_s.arg(id)), alice.auth());
        QCOMPARE(refused.status, 409);
        QCOMPARE(refused.header("Upload-Offset"), "0");
        // Answered once the bytes are gone: the upload from 0 may start at once.
        QCOMPARE(httpRequest("GET", url(u"/v1/media/%1/upload"_s.arg(id)), alice.auth())
                     .json()
                     .value(u"offset"_s)
                     .toInteger(),
                 0);
        QCOMPARE(patch(alice, id, 0, bytes.first(10)).status, 204);
        QCOMPARE(download(alice, id).status, 404); // never complete, never served
    }

    void eachChunkMayFollowTheLastAtOnce()
    {
        // A 204 means the relay is done with the chunk: the next request (each on a
        // connection of its own here) is never told that another one is still uploading.
        User alice = signUp();
        const QByteArray bytes = randomBytes(300 * 512, 12);
        const HttpResult created
            = create(alice, bytes.size(), u"application/octet-stream"_s, sha256Hex(bytes));
        const QString id = created.json().value(u"id"_s).toString();
        for (qint64 at = 0; at < bytes.size(); at += 512) {
            const HttpResult sent = patch(alice, id, at, bytes.mid(at, 512));
            QVERIFY2(sent.status == 204,
                     qPrintable(u"chunk at %1: HTTP %2 %3"_s.arg(at)
                                    .arg(sent.status)
                                    .arg(QString::fromUtf8(sent.body))));
        }
        const HttpResult completed
            = httpRequest("POST", url(u"/v1/media/%1/complete"_s.arg(id)), alice.auth());
        QCOMPARE(completed.status, 200);
    }

    void limitsAreEnforcedBeforeReading()
    {
        User alice = signUp();
        // Over the largest file: refused at creation.
        HttpResult tooBig = create(alice, qint64(100) * 1024 * 1024 + 1,
                                   u"application/octet-stream"_s, sha256Hex("x"));
        QCOMPARE(tooBig.status, 413);
        QCOMPARE(tooBig.json().value(u"code"_s).toString(), u"too_large"_s);

        const HttpResult created
            = create(alice, 1000, u"application/octet-stream"_s, sha256Hex("x"));
        const QString id = created.json().value(u"id"_s).toString();
        // More than declared, or more than a chunk: answered from the head alone, before a
        // byte of the body was sent.
        for (const qint64 length : {qint64(1001), qint64(8) * 1024 * 1024 + 1, qint64(1) << 40}) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_relay.port());
            QVERIFY(socket.waitForConnected(5000));
            socket.write("PATCH /v1/media/" + id.toLatin1()
                         + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + alice.token
                         + "\r\nUpload-Offset: 0\r\nContent-Length: " + QByteArray::number(length)
                         + "\r\n\r\n");
            QByteArray answer;
            QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\r\n\r\n"), 10000);
            QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.constData());
            QVERIFY(answer.contains("Connection: close"));
        }
        QCOMPARE(httpRequest("GET", url(u"/v1/media/%1/upload"_s.arg(id)), alice.auth())
                     .json()
                     .value(u"offset"_s)
                     .toInteger(),
                 0);
        // Chunked bodies and malformed heads are refused.
        for (const QByteArray &request :
             {QByteArray("PATCH /v1/media/" + id.toLatin1()
                         + " HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
              QByteArray("PATCH /v1/media/" + id.toLatin1()
                         + " HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
              QByteArray("GET /v1/media/x HTTP/2.0\r\n\r\n"),
              QByteArray("GET /v1/media/" + QByteArray(20000, 'a') + " HTTP/1.1\r\n\r\n")}) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_relay.port());
            QVERIFY(socket.waitForConnected(5000));
            socket.write(request);
            QByteArray answer;
            QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\r\n\r\n"), 10000);
            QVERIFY2(answer.startsWith("HTTP/1.1 4") || answer.startsWith("HTTP/1.1 5"),
                     answer.constData());
        }
    }

    void hostileNamesAndPathsTouchNothing()
    {
        User alice = signUp();
        const QStringList before = filesUnder(m_relay.dataDirectory());
        const QByteArray bytes = "hello";
        const QString id
            = upload(alice, bytes, u"text/plain"_s, 1024, u"../../../tmp/evil\u0000name\n.txt"_s);
        QVERIFY(!id.isEmpty());
        const HttpResult got = download(alice, id);
        QCOMPARE(got.body, bytes);
        const QByteArray disposition = got.header("Content-Disposition");
        QVERIFY2(!disposition.contains("..") && !disposition.contains('/'),
                 disposition.constData());
        QVERIFY(disposition.contains("evilname.txt"));

        // The only new file is the blob, under the relay's own name.
        const QStringList after = filesUnder(m_relay.dataDirectory());
        QStringList added;
        for (const QString &file : after) {
            if (!before.contains(file) && !file.startsWith(u"tidings.db"_s))
                added.append(file);
        }
        QCOMPARE(added, QStringList{u"media/%1/%2"_s.arg(id.left(2), id)});
        QVERIFY(!QFile::exists(u"/tmp/evil"_s));
        // A right-to-left override cannot dress an executable as a document.
        const QString disguised
            = upload(alice, bytes, u"application/octet-stream"_s, 1024, u"invoice\u202Efdp.exe"_s);
        QVERIFY(!disguised.isEmpty());
        const QByteArray named = download(alice, disguised).header("Content-Disposition");
        QVERIFY2(named.contains("invoicefdp.exe") && !named.contains("%E2%80%AE"),
                 named.constData());

        for (const QString &path : {u"/v1/media/../../etc/passwd"_s, u"/v1/media/%2e%2e/x"_s,
                                    QString(u"/v1/media/"_s + id + u"/../../x"_s)}) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_relay.port());
            QVERIFY(socket.waitForConnected(5000));
            socket.write("GET " + path.toLatin1() + " HTTP/1.1\r\nAuthorization: Bearer "
                         + alice.token + "\r\n\r\n");
            QByteArray answer;
            QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\r\n\r\n"), 10000);
            QVERIFY2(answer.startsWith("HTTP/1.1 404"), answer.constData());
        }
    }

    void quotaIsPerUser()
    {
        RelayProcess relay;
        QVERIFY2(relay.start({u"--media-quota-bytes"_s, u"10000"_s}),
                 qPrintable(relay.lastError()));
        User alice = signUp(relay);
        User bob = signUp(relay);
        QCOMPARE(
            create(alice, 6000, u"application/octet-stream"_s, sha256Hex("x"), {}, &relay).status,
            201);
        const HttpResult over
            = create(alice, 6000, u"application/octet-stream"_s, sha256Hex("x"), {}, &relay);
        QCOMPARE(over.status, 413);
        QVERIFY(over.json().value(u"message"_s).toString().contains(u"quota"_s));
        QCOMPARE(
            create(bob, 6000, u"application/octet-stream"_s, sha256Hex("x"), {}, &relay).status,
            201);
        QCOMPARE(relay.stop(), 0);
    }

    void theRelayKeepsRoomOnItsDisk()
    {
        // Uploads begun and not finished are few per user; everyone's media has a budget;
        // nothing may take the disk's last free bytes.
        RelayProcess relay;
        QVERIFY2(relay.start({u"--media-max-unfinished"_s, u"3"_s, u"--media-max-total-bytes"_s,
                              u"20000"_s}),
                 qPrintable(relay.lastError()));
        User alice = signUp(relay);
        User bob = signUp(relay);
        QStringList begun;
        for (int i = 0; i < 3; ++i) {
            const HttpResult created
                = create(alice, 10, u"application/octet-stream"_s, sha256Hex("x"), {}, &relay);
            QCOMPARE(created.status, 201);
            begun.append(created.json().value(u"id"_s).toString());
        }
        const HttpResult fourth
            = create(alice, 10, u"application/octet-stream"_s, sha256Hex("x"), {}, &relay);
        QCOMPARE(fourth.status, 429);
        QVERIFY(fourth.json().value(u"message"_s).toString().contains(u"at most 3"_s));
        QCOMPARE(httpRequest("DELETE", url(u"/v1/media/"_s + begun.first(), &relay), alice.auth())
                     .status,
                 204);
        QCOMPARE(
            create(alice, 10, u"application/octet-stream"_s, sha256Hex("x"), {}, &relay).status,
            201);
        // The relay's budget counts everyone's.
        QCOMPARE(
            create(bob, 15000, u"application/octet-stream"_s, sha256Hex("x"), {}, &relay).status,
            201);
        const HttpResult full
            = create(bob, 5000, u"application/octet-stream"_s, sha256Hex("x"), {}, &relay);
        QCOMPARE(full.status, 503);
        QCOMPARE(relay.stop(), 0);

        // A disk that would keep less than the minimum free refuses at once.
        RelayProcess cramped;
        QVERIFY2(cramped.start({u"--media-min-free-bytes"_s, u"1152921504606846976"_s}),
                 qPrintable(cramped.lastError()));
        User carol = signUp(cramped);
        const HttpResult refused
            = create(carol, 1, u"application/octet-stream"_s, sha256Hex("x"), {}, &cramped);
        QCOMPARE(refused.status, 503);
        QVERIFY(refused.json().value(u"message"_s).toString().contains(u"no room"_s));
        QCOMPARE(cramped.stop(), 0);
    }

    void allowedTypesAreConfigurable()
    {
        RelayProcess relay;
        QVERIFY2(relay.start({u"--media-types"_s, u"image/*"_s}), qPrintable(relay.lastError()));
        User alice = signUp(relay);
        QCOMPARE(create(alice, 10, u"application/pdf"_s, sha256Hex("x"), {}, &relay).status, 415);
        QCOMPARE(create(alice, 10, u"image/png"_s, sha256Hex("x"), {}, &relay).status, 201);
        QCOMPARE(relay.stop(), 0);
    }

    void unreferencedMediaIsCollected()
    {
        RelayProcess relay;
        QVERIFY2(
            relay.start({u"--media-sweep-seconds"_s, u"1"_s, u"--media-unsent-seconds"_s, u"2"_s}),
            qPrintable(relay.lastError()));
        User alice = signUp(relay);
        User bob = signUp(relay);
        const qint64 conversation = direct(alice, bob);
        const QByteArray bytes = randomBytes(2048, 13);
        const QString kept = upload(alice, bytes, u"application/octet-stream"_s, 1024, {}, &relay);
        const QString twice = upload(alice, bytes, u"application/octet-stream"_s, 1024, {}, &relay);
        const QString unsent
            = upload(alice, bytes, u"application/octet-stream"_s, 1024, {}, &relay);
        QVERIFY(!kept.isEmpty() && !twice.isEmpty() && !unsent.isEmpty());
        const auto blob = [&](const QString &id) -> QString {
            return relay.dataDirectory() + u"/media/%1/%2"_s.arg(id.left(2), id);
        };
        const QJsonObject first
            = sendWith(alice, conversation, {QJsonObject{{u"media"_s, kept}}}, u"k1"_s);
        const qint64 firstSeq = first.value(u"event"_s).toObject().value(u"seq"_s).toInteger();
        QVERIFY(ProtocolClient::isOk(
            sendWith(alice, conversation, {QJsonObject{{u"media"_s, twice}}}, u"t1"_s)));
        const QJsonObject second
            = sendWith(alice, conversation, {QJsonObject{{u"media"_s, twice}}}, u"t2"_s);
        const qint64 secondSeq = second.value(u"event"_s).toObject().value(u"seq"_s).toInteger();

        // Never sent: gone after its time.
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(blob(unsent)), 15000);
        QCOMPARE(download(alice, unsent, {}, &relay).status, 404);

        // Deleted for everyone: its media goes once nothing refers to it.
        QVERIFY(ProtocolClient::isOk(alice.client->request(
            u"message.delete"_s,
            {{u"conversation"_s, conversation}, {u"client_id"_s, u"d1"_s}, {u"seq"_s, firstSeq}})));
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(blob(kept)), 15000);
        QCOMPARE(download(bob, kept, {}, &relay).status, 404);
        // Sent twice, deleted once: still there for the other message.
        QVERIFY(ProtocolClient::isOk(alice.client->request(u"message.delete"_s,
                                                           {{u"conversation"_s, conversation},
                                                            {u"client_id"_s, u"d2"_s},
                                                            {u"seq"_s, secondSeq}})));
        QTest::qWait(2500); // two sweeps
        QVERIFY(QFile::exists(blob(twice)));
        QCOMPARE(download(bob, twice, {}, &relay).body, bytes);
        QCOMPARE(relay.stop(), 0);
    }

    void attachmentsMustBeCompleteUploads()
    {
        User alice = signUp();
        User bob = signUp();
        const qint64 conversation = direct(alice, bob);
        const HttpResult created = create(alice, 10, u"application/octet-stream"_s, sha256Hex("x"));
        const QString incomplete = created.json().value(u"id"_s).toString();
        QCOMPARE(ProtocolClient::errorCode(sendWith(
                     alice, conversation, {QJsonObject{{u"media"_s, incomplete}}}, u"a1"_s)),
                 u"conflict"_s);
        QCOMPARE(ProtocolClient::errorCode(sendWith(
                     alice, conversation, {QJsonObject{{u"media"_s, QString(32, u'0')}}}, u"a2"_s)),
                 u"not_found"_s);
        QCOMPARE(ProtocolClient::errorCode(sendWith(
                     alice, conversation, {QJsonObject{{u"media"_s, u"../x"_s}}}, u"a3"_s)),
                 u"bad_request"_s);
        QCOMPARE(ProtocolClient::errorCode(sendWith(
                     alice, conversation,
                     {QJsonObject{{u"media"_s, incomplete}, {u"width"_s, u"wide"_s}}}, u"a4"_s)),
                 u"bad_request"_s);
        // A cancelled upload is gone.
        QCOMPARE(httpRequest("DELETE", url(u"/v1/media/"_s + incomplete), alice.auth()).status,
                 204);
        QCOMPARE(
            httpRequest("GET", url(u"/v1/media/%1/upload"_s.arg(incomplete)), alice.auth()).status,
            404);
    }
};

QTEST_GUILESS_MAIN(TestMedia)
#include "tst_media.moc"
