// tidings-s3-standin: an S3-compatible server for tests (S3StandIn) as a process of its own.
// Prints "listening on 127.0.0.1:<port>" once it takes requests (and writes the port to
// --port-file when given).
#include "support/s3_standin.h"

#include "process_output.h" // beside this file

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>

using namespace tidings::test;
using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"A path-style S3 stand-in that checks SigV4 strictly."_s);
    parser.addHelpOption();
    const QCommandLineOption directory(u"directory"_s, u"where objects are kept"_s, u"path"_s);
    const QCommandLineOption port(u"port"_s, u"TCP port on 127.0.0.1 (0: any free one)"_s,
                                  u"port"_s, u"0"_s);
    const QCommandLineOption portFile(u"port-file"_s, u"write the port to this file"_s, u"path"_s);
    const QCommandLineOption accessKey(u"access-key"_s, u"the access key id accepted"_s, u"id"_s);
    const QCommandLineOption secretKey(u"secret-key"_s, u"its secret"_s, u"secret"_s);
    const QCommandLineOption region(u"region"_s, u"the region signed for"_s, u"name"_s,
                                    u"us-east-1"_s);
    const QCommandLineOption bucket(u"bucket"_s, u"a bucket to create (repeatable)"_s, u"name"_s);
    const QCommandLineOption maxBody(u"max-body-bytes"_s, u"largest request body"_s, u"bytes"_s,
                                     QString::number(64 * 1024 * 1024));
    const QCommandLineOption maxKeys(u"max-keys-per-page"_s,
                                     u"most keys in one listing page (S3: 1000)"_s, u"count"_s,
                                     u"1000"_s);
    const QCommandLineOption ignoreRangeEnds(
        u"ignore-range-ends"_s, u"answer bytes=a-b with bytes from a to the end (as s3rver 3.7)"_s);
    const QCommandLineOption log(u"log"_s, u"one line per request on stderr"_s);
    parser.addOptions({directory, port, portFile, accessKey, secretKey, region, bucket, maxBody,
                       maxKeys, ignoreRangeEnds, log});
    parser.process(application);
    if (!parser.isSet(directory) || !parser.isSet(accessKey) || !parser.isSet(secretKey)) {
        say("tidings-s3-standin needs --directory, --access-key and --secret-key");
        return 2;
    }

    S3StandIn::Options options;
    options.directory = parser.value(directory);
    options.credentials = {parser.value(accessKey).toUtf8(), parser.value(secretKey).toUtf8(),
                           parser.value(region).toUtf8()};
    options.buckets = parser.values(bucket);
    options.maxBodyBytes = parser.value(maxBody).toLongLong();
    options.maxKeysPerPage = std::max(1, parser.value(maxKeys).toInt());
    options.ignoreRangeEnds = parser.isSet(ignoreRangeEnds);
    options.log = parser.isSet(log);
    S3StandIn server(options);
    if (!server.listen(parser.value(port).toUShort())) {
        say("cannot listen: " + server.errorString().toUtf8());
        return 1;
    }
    if (parser.isSet(portFile)) {
        QFile file(parser.value(portFile));
        if (!file.open(QIODevice::WriteOnly)
            || file.write(QByteArray::number(server.port()) + '\n') < 0) {
            say("cannot write " + parser.value(portFile).toUtf8());
            return 1;
        }
    }
    say("listening on 127.0.0.1:" + QByteArray::number(server.port()));
    return application.exec();
}
