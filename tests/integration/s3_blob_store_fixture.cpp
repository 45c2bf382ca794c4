#include "s3_blob_store_fixture.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace tidings::test {

using relay::parseS3Location;

QByteArray xmlCode(const QByteArray &xml)
{
    const qsizetype start = xml.indexOf("<Code>");
    const qsizetype end = xml.indexOf("</Code>");
    return start < 0 || end < start ? QByteArray() : xml.mid(start + 6, end - start - 6);
}

QString name(ErrorCode code)
{
    return errorCodeName(code);
}

void S3StoreFixture::setUp()
{
    QStandardPaths::setTestModeEnabled(true);
    const QString location = qEnvironmentVariable("TIDINGS_TEST_S3_LOCATION");
    if (!location.isEmpty()) {
        const auto parsed = parseS3Location(location, QProcessEnvironment::systemEnvironment());
        QVERIFY2(parsed, qPrintable(describe(parsed)));
        m_options = *parsed;
        m_external = true;
        qInfo().noquote() << "testing against" << m_options.endpoint << "bucket"
                          << m_options.bucket;
    } else {
        m_standIn = std::make_unique<S3StandInProcess>(QStringLiteral(TIDINGS_S3_STANDIN_BINARY));
        // Pages of two keys: any blob of more than two pieces is listed with continuation
        // tokens.
        QVERIFY2(m_standIn->start({kKeys, kBucket, 2}), qPrintable(m_standIn->lastError()));
        m_options.endpoint = m_standIn->endpoint();
        m_options.bucket = kBucket;
        m_options.accessKey = QString::fromUtf8(kKeys.accessKey);
        m_options.secretKey = QString::fromUtf8(kKeys.secretKey);
    }
    // Each run in a prefix of its own, so that runs against one endpoint do not meet.
    m_options.prefix
        += u"tst-%1/"_s.arg(QRandomGenerator::global()->generate(), 8, 16, QChar(u'0'));
    m_options.timeoutMs = 10000;
}

void S3StoreFixture::logWhenFailed()
{
    if (QTest::currentTestFailed() && m_standIn)
        qWarning().noquote() << "the stand-in's requests:\n" << m_standIn->log().right(4000);
}

std::unique_ptr<S3BlobStore> S3StoreFixture::open(const S3Options &options)
{
    auto store = S3BlobStore::open(options);
    if (!store)
        qWarning().noquote() << store.error().message;
    return store ? std::move(store).value() : nullptr;
}

std::unique_ptr<S3StandInProcess> S3StoreFixture::startAnotherStandIn(bool ignoreRangeEnds)
{
    auto standIn = std::make_unique<S3StandInProcess>(QStringLiteral(TIDINGS_S3_STANDIN_BINARY));
    if (!standIn->start({kKeys, kBucket, 1000, ignoreRangeEnds}))
        qWarning().noquote() << standIn->lastError();
    return standIn;
}

QStringList S3StoreFixture::storedPieces(const QString &id) const
{
    if (!m_standIn)
        return {};
    QStringList keys = m_standIn->keys(kBucket);
    keys.removeIf([&](const QString &key) { return !key.contains(id); });
    return keys;
}

QString S3StoreFixture::pieceKey(const QString &id, qint64 offset) const
{
    return m_options.prefix + id + u'/' + QString::number(offset).rightJustified(16, u'0');
}

S3HttpRequest S3StoreFixture::requestFor(const QByteArray &method, const QString &key,
                                         const QByteArray &body) const
{
    const QUrl endpoint(m_options.endpoint);
    S3HttpRequest request;
    request.method = method;
    request.path = '/' + kBucket.toUtf8() + '/' + QUrl::toPercentEncoding(key, "/");
    request.body = body;
    QByteArray host = endpoint.host().toLatin1();
    if (endpoint.port() != -1)
        host += ':' + QByteArray::number(endpoint.port());
    request.setHeader("host", host);
    return request;
}

S3Credentials S3StoreFixture::keys() const
{
    return {m_options.accessKey.toUtf8(), m_options.secretKey.toUtf8(), m_options.region.toUtf8()};
}

RawReply S3StoreFixture::send(const QString &endpoint, const S3HttpRequest &request)
{
    QByteArray target = endpoint.toLatin1() + request.path;
    if (!request.query.isEmpty())
        target += '?' + request.query;
    QNetworkRequest http(QUrl::fromEncoded(target, QUrl::StrictMode));
    for (const auto &[name, value] : request.headers) {
        if (name != "host")
            http.setRawHeader(name, value);
    }
    QNetworkAccessManager network;
    network.setProxy(QNetworkProxy::NoProxy);
    std::unique_ptr<QNetworkReply> reply(
        network.sendCustomRequest(http, request.method, request.body));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(10000))
        return {};
    return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
}

} // namespace tidings::test
