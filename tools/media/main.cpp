// tidings-media-bench: upload and download throughput of the media API, measured with the
// app's own TransferManager against a running relay. Registers a throwaway account, sends a
// file of --size MiB in --chunk byte requests, fetches it back, checks it and prints one
// JSON line: {"size_bytes", "chunk_bytes", "upload_ms", "upload_mib_s", "download_ms",
// "download_mib_s"}.
#include "core/chat_client.h"
#include "core/server_address.h"
#include "core/transfer_manager.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <cstdio>

using namespace tidings;
using namespace tidings::app;
using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Media upload/download throughput against a relay."_s);
    parser.addHelpOption();
    const QCommandLineOption server(u"server"_s, u"relay address (default http://127.0.0.1:8420)"_s,
                                    u"address"_s, u"http://127.0.0.1:8420"_s);
    const QCommandLineOption size(u"size"_s, u"file size in MiB (default 100)"_s, u"MiB"_s,
                                  u"100"_s);
    const QCommandLineOption chunk(u"chunk"_s, u"upload request size in bytes (default 4 MiB)"_s,
                                   u"bytes"_s, QString::number(4 * 1024 * 1024));
    parser.addOptions({server, size, chunk});
    parser.process(application);
    const auto address = ServerAddress::parse(parser.value(server));
    if (!address) {
        std::fprintf(stderr, "tidings-media-bench: %s\n", qPrintable(address.error().message));
        return 2;
    }

    QTemporaryDir directory;
    const qint64 bytes = parser.value(size).toLongLong() * 1024 * 1024;
    const QString path = directory.filePath(u"payload.bin"_s);
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return 1;
        QByteArray block(1024 * 1024, Qt::Uninitialized);
        for (qint64 written = 0; written < bytes; written += block.size()) {
            QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(block.data()),
                                                  block.size() / 4);
            file.write(block.constData(), std::min<qint64>(block.size(), bytes - written));
        }
    }

    ChatClient client(directory.filePath(u"local.db"_s));
    TransferManager::Options options;
    options.chunkBytes = parser.value(chunk).toLongLong();
    TransferManager transfers(client.store(), directory.filePath(u"cache"_s), options);
    QElapsedTimer clock;
    qint64 uploadMs = 0;
    int status = 0;
    auto fail = [&status](const QString &why) {
        std::fprintf(stderr, "tidings-media-bench: %s\n", qPrintable(why));
        status = 1;
        QCoreApplication::quit();
    };
    QObject::connect(&transfers, &TransferManager::failed, &application,
                     [&](const QString &, const QString &why) { fail(why); });
    QObject::connect(&transfers, &TransferManager::uploaded, &application,
                     [&](const QString &, const protocol::messages::MediaObject &media) {
                         uploadMs = clock.restart();
                         transfers.download({media.id, bytes, media.sha256, u"back.bin"_s});
                     });
    QObject::connect(
        &transfers, &TransferManager::downloaded, &application,
        [&](const QString &, const QString &, const QString &) {
            const qint64 downloadMs = clock.elapsed();
            const double mib = double(bytes) / (1024 * 1024);
            const QJsonObject report{
                {u"size_bytes"_s, bytes},
                {u"chunk_bytes"_s, options.chunkBytes},
                {u"upload_ms"_s, uploadMs},
                {u"upload_mib_s"_s, uploadMs > 0 ? mib * 1000 / uploadMs : 0},
                {u"download_ms"_s, downloadMs},
                {u"download_mib_s"_s, downloadMs > 0 ? mib * 1000 / downloadMs : 0}};
            std::printf("%s\n", QJsonDocument(report).toJson(QJsonDocument::Compact).constData());
            QCoreApplication::quit();
        });
    client.open().then(&client, [&](const Result<int> &opened) {
        if (!opened)
            return fail(opened.error().message);
        client.start(*address);
    });
    QObject::connect(
        &client.connection(), &Connection::stateChanged, &client, [&](Connection::State state) {
            if (state == Connection::State::Incompatible)
                return fail(u"the relay speaks another protocol"_s);
            if (state != Connection::State::SignedOut)
                return;
            const QString name = u"bench%1"_s.arg(QRandomGenerator::global()->generate() % 1000000);
            client.registerAccount(name, u"benchmark password"_s)
                .then(&client,
                      [&](const Result<tidings::protocol::messages::SignedIn> &registered) {
                          if (!registered)
                              return fail(registered.error().message);
                          transfers.setServer(address->httpUrl(), registered->token.toLatin1());
                          clock.start(); // hashing included: what a user waits for
                          transfers.upload({path, {}, {}});
                      });
        });
    application.exec();
    return status;
}
