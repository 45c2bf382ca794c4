// tidings-test-uploader: uploads one file with the real TransferManager, so a test can kill
// it mid-way and start it again. Prints "progress N", "resumed N", then "done <media id>"
// (or "failed <reason>"). With --resume it only picks up what an earlier run left.
#include "core/local_store.h"
#include "core/transfer_manager.h"

#include "process_output.h" // beside this file

#include <QCommandLineParser>
#include <QCoreApplication>

using namespace tidings;
using namespace tidings::app;
using namespace Qt::StringLiterals;

using tidings::test::say;

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption database(u"database"_s, u"SQLite file"_s, u"path"_s);
    const QCommandLineOption server(u"server"_s, u"http://host:port"_s, u"url"_s);
    const QCommandLineOption token(u"token"_s, u"session token"_s, u"token"_s);
    const QCommandLineOption file(u"file"_s, u"the file to upload"_s, u"path"_s);
    const QCommandLineOption chunk(u"chunk"_s, u"bytes per request"_s, u"bytes"_s, u"1048576"_s);
    const QCommandLineOption rate(u"rate"_s, u"bytes per second (0: no limit)"_s, u"bytes"_s,
                                  u"0"_s);
    const QCommandLineOption resume(u"resume"_s, u"only continue what an earlier run left"_s);
    parser.addOptions({database, server, token, file, chunk, rate, resume});
    parser.process(application);

    LocalStore store(parser.value(database));
    if (!store.open().future().result()) {
        say("failed cannot open the store");
        return 1;
    }
    TransferManager::Options options;
    options.chunkBytes = parser.value(chunk).toLongLong();
    options.maxBytesPerSecond = parser.value(rate).toLongLong();
    options.firstRetryMs = 100;
    options.maxRetryMs = 1000;
    TransferManager transfers(store, QCoreApplication::applicationDirPath() + u"/cache"_s, options);
    transfers.setServer(QUrl(parser.value(server)), parser.value(token).toLatin1());
    QObject::connect(
        &transfers, &TransferManager::progress, &transfers,
        [](const QString &, qint64 done, qint64) { say("progress " + QByteArray::number(done)); });
    QObject::connect(
        &transfers, &TransferManager::resumed, &transfers,
        [](const QString &, qint64 offset) { say("resumed " + QByteArray::number(offset)); });
    QObject::connect(&transfers, &TransferManager::uploaded, &transfers,
                     [](const QString &, const protocol::messages::MediaObject &media) {
                         say("done " + media.id.toLatin1());
                         QCoreApplication::quit();
                     });
    QObject::connect(&transfers, &TransferManager::failed, &transfers,
                     [](const QString &, const QString &reason) {
                         say("failed " + reason.toUtf8());
                         QCoreApplication::exit(1);
                     });
    QObject::connect(&transfers, &TransferManager::restored, &transfers, [](int count) {
        if (count == 0) {
            say("failed nothing to resume");
            QCoreApplication::exit(1);
        }
    });
    if (parser.isSet(resume))
        transfers.restore();
    else
        transfers.upload({parser.value(file), u"application/octet-stream"_s, {}});
    return application.exec();
}
