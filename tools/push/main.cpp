// tidings-push-bench: how fast the relay's pushes reach a provider. Starts the real relay
// (--relay, default: the tidings-relay beside this binary) with its webhook pointed at a
// local endpoint that accepts at once, and measures
//   latency:    one message at a time to an offline user, from the sender's ack (the
//               commit) to the push arriving, --messages times;
//   throughput: one message to a group of --members offline members with a push target
//               each, from the ack to the last push arriving;
//   message path: send → ack of --messages messages to that group, each making a push per
//               member; with --hang the endpoint never answers (pushes time out after 2 s),
//               to show that a hanging provider does not slow messages; --baseline: the
//               members have no push target, for comparison.
// Prints one JSON line. Coalescing is off (push-coalesce-ms 0) so the figures are the
// pipeline's own; with the default window every push waits 3 s more by design.
#include "support/protocol_client.h"
#include "support/provider_server.h"
#include "support/relay_process.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>

using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

/// The p-quantile of µs values, in ms with two decimals.
double percentileMs(QList<qint64> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    return double(values[qsizetype(p * double(values.size() - 1))] / 10) / 100.0;
}

int fail(const char *why)
{
    std::fprintf(stderr, "tidings-push-bench: %s\n", why);
    return 1;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Push throughput and latency of the relay."_s);
    parser.addHelpOption();
    const QCommandLineOption relayOption(u"relay"_s, u"the tidings-relay binary"_s, u"path"_s,
                                         QCoreApplication::applicationDirPath()
                                             + u"/../../relay/tidings-relay"_s);
    const QCommandLineOption membersOption(u"members"_s, u"offline group members (default 1000)"_s,
                                           u"count"_s, u"1000"_s);
    const QCommandLineOption messagesOption(
        u"messages"_s, u"messages for the latency run (default 200)"_s, u"count"_s, u"200"_s);
    const QCommandLineOption hangOption(
        u"hang"_s, u"the endpoint never answers: measure the message path while pushes time out"_s);
    const QCommandLineOption baselineOption(
        u"baseline"_s, u"members register no push target: the message path without pushes"_s);
    parser.addOptions({relayOption, membersOption, messagesOption, hangOption, baselineOption});
    parser.process(application);
    qputenv("TIDINGS_RELAY_BINARY", QDir::cleanPath(parser.value(relayOption)).toLocal8Bit());
    const int members = parser.value(membersOption).toInt();
    const int messages = parser.value(messagesOption).toInt();
    const bool hang = parser.isSet(hangOption);
    const bool baseline = parser.isSet(baselineOption);

    ProviderServer endpoint;
    if (!endpoint.listen())
        return fail("cannot listen");
    if (hang)
        endpoint.setResponder([](const ReceivedRequest &) {
            return StandInReply{200, {}, {}, true};
        });
    QTemporaryDir files;
    QFile secret(files.filePath(u"secret"_s));
    if (!secret.open(QIODevice::WriteOnly) || secret.write("bench secret\n") < 0)
        return fail("cannot write the secret");
    secret.close();
    RelayProcess relay;
    if (!relay.start({u"--push-webhook-url"_s, QString::fromLatin1(endpoint.url("/hook")),
                      u"--push-webhook-secret-file"_s, secret.fileName(), u"--push-coalesce-ms"_s,
                      u"0"_s, u"--push-timeout-ms"_s, u"2000"_s, u"--max-group-members"_s,
                      QString::number(std::max(members + 1, 2))}))
        return fail(qPrintable(relay.lastError()));

    // Offline members, each with a push target; one sender.
    QJsonArray group;
    for (int i = 0; i < members; ++i) {
        ProtocolClient member;
        if (!member.signUp(relay.webSocketUrl(), u"member%1"_s.arg(i))
            || (!baseline
                && !ProtocolClient::isOk(member.request(
                    u"push.register"_s,
                    {{u"provider"_s, u"webhook"_s}, {u"address"_s, u"device-%1"_s.arg(i)}}))))
            return fail("cannot make the members");
        group.append(member.userId());
    }
    ProtocolClient sender;
    if (!sender.signUp(relay.webSocketUrl(), u"sender"_s))
        return fail("cannot make the sender");
    int sent = 0;
    auto send = [&sender, &sent](qint64 conversation) {
        return ProtocolClient::isOk(sender.request(u"message.send"_s,
                                                   {{u"conversation"_s, conversation},
                                                    {u"client_id"_s, u"bench-%1"_s.arg(++sent)},
                                                    {u"text"_s, u"bench"_s}}));
    };

    QJsonObject result{{u"mode"_s,
                        baseline   ? u"no push targets"_s
                            : hang ? u"provider hangs"_s
                                   : u"provider accepts"_s},
                       {u"group_members"_s, members},
                       {u"messages"_s, messages}};
    if (!hang && !baseline) {
        // Latency: one offline user, one message at a time.
        const qint64 direct = sender.request(u"direct.open"_s, {{u"user"_s, group[0].toInteger()}})
                                  .value(u"conversation"_s)
                                  .toObject()
                                  .value(u"id"_s)
                                  .toInteger();
        QList<qint64> latencies; // µs
        for (int i = 0; i < messages; ++i) {
            const qsizetype before = endpoint.received().size();
            if (!send(direct))
                return fail("a message was refused");
            QElapsedTimer sinceCommit; // the ack leaves the relay after the commit
            sinceCommit.start();
            if (!endpoint.waitForRequests(before + 1, 10000))
                return fail("a push did not arrive");
            latencies.append(sinceCommit.nsecsElapsed() / 1000);
        }
        result.insert(u"push_latency_p50_ms"_s, percentileMs(latencies, 0.5));
        result.insert(u"push_latency_p99_ms"_s, percentileMs(latencies, 0.99));
        result.insert(u"push_latency_max_ms"_s, percentileMs(latencies, 1.0));
    }

    const qint64 everyone
        = sender.request(u"group.create"_s, {{u"title"_s, u"Everyone"_s}, {u"members"_s, group}})
              .value(u"conversation"_s)
              .toObject()
              .value(u"id"_s)
              .toInteger();
    if (!hang && !baseline) {
        // Throughput: one message to the whole group.
        const qsizetype before = endpoint.received().size();
        if (!send(everyone))
            return fail("the group message was refused");
        QElapsedTimer clock;
        clock.start();
        if (!endpoint.waitForRequests(before + members, 120000))
            return fail("not every group push arrived");
        const qint64 fanOutMs = clock.elapsed();
        result.insert(u"group_fan_out_ms"_s, fanOutMs);
        result.insert(u"pushes_per_second"_s,
                      fanOutMs > 0 ? qRound(1000.0 * members / double(fanOutMs)) : 0);
    }

    // The message path meanwhile: send → ack (after the commit) of messages to the group,
    // each of which makes a push per member.
    QList<qint64> acks; // µs
    for (int i = 0; i < messages; ++i) {
        QElapsedTimer clock;
        clock.start();
        if (!send(everyone))
            return fail("a group message was refused");
        acks.append(clock.nsecsElapsed() / 1000);
    }
    result.insert(u"message_ack_p50_ms"_s, percentileMs(acks, 0.5));
    result.insert(u"message_ack_p99_ms"_s, percentileMs(acks, 0.99));
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return relay.stop() == 0 ? 0 : 1;
}
