// tidings-test-sender: a minimal client process for fault tests — queues messages with the
// real client core and sends them; killing it and starting it again must lose and double
// nothing. Prints "queued N", then "pending N" as acks come, then "done".
#include "core/chat_client.h"

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
    const QCommandLineOption server(u"server"_s, u"relay address"_s, u"address"_s);
    const QCommandLineOption token(u"token"_s, u"session token"_s, u"token"_s);
    const QCommandLineOption conversation(u"conversation"_s, u"conversation id"_s, u"id"_s);
    const QCommandLineOption count(u"count"_s, u"messages to queue (none: only send what waits)"_s,
                                   u"n"_s);
    const QCommandLineOption prefix(u"prefix"_s, u"text before each number"_s, u"text"_s, u"m"_s);
    parser.addOptions({database, server, token, conversation, count, prefix});
    parser.process(application);

    Connection::Options options;
    options.minimumBackoffMs = 50;
    options.maximumBackoffMs = 500;
    ChatClient client(parser.value(database), options);
    const int n = parser.value(count).toInt();
    const qint64 where = parser.value(conversation).toLongLong();
    bool queueing = n > 0;

    auto report = [&client, &queueing] {
        if (queueing)
            return;
        client.store()
            .read<QList<local::OutboxItem>>(
                [](QSqlDatabase &db) { return local::pendingOutbox(db, 1000000); })
            .then(&client, [](const Result<QList<local::OutboxItem>> &items) {
                if (!items)
                    return;
                int messages = 0;
                for (const local::OutboxItem &item : *items)
                    messages += item.type == u"message.send" ? 1 : 0;
                say("pending " + QByteArray::number(messages));
                if (messages == 0) {
                    say("done");
                    QCoreApplication::quit();
                }
            });
    };
    QObject::connect(&client.outbox(), &Outbox::changed, &client, report);
    QObject::connect(&client.connection(), &Connection::signedIn, &client, [&] {
        if (!queueing)
            return report();
        // Signed in: queue them all (the store takes them in order), then send.
        QFuture<Result<local::Message>> last;
        for (int i = 0; i < n; ++i)
            last = client.outbox().send(where, u"%1 %2"_s.arg(parser.value(prefix)).arg(i));
        last.then(&client, [&](const Result<local::Message> &) {
            queueing = false;
            say("queued " + QByteArray::number(n));
            report();
        });
    });
    client.open().then(&client, [&](const Result<int> &opened) {
        if (!opened) {
            say("cannot open the store");
            QCoreApplication::exit(1);
            return;
        }
        client.start(*ServerAddress::parse(parser.value(server)), parser.value(token));
    });
    return application.exec();
}
