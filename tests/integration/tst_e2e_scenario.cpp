// The acceptance test of end-to-end encryption (issue 19), as one conversation against the real
// relay with `--e2e required`: Alice and Bob on two devices each (the second linked through the
// real flow), a direct chat with a reply from each second device, an edit and a delete for
// everyone, a file, and a group of five that loses Dave and gains Frank. Each step checks what
// every device shows; then a third device of Bob's, linked last, reads the history it was
// given, and the relay's database (with its WAL) and media hold none of the plaintexts or of
// the file's bytes, while it runs and once it has stopped.
//
// The slots run in order and share one relay and one cast: each builds on the one before.
#include "core/e2e_engine.h"
#include "core/message_attachment.h"
#include "support/client_helpers.h"
#include "support/file_helpers.h"
#include "support/relay_process.h"

#include "protocol/frame.h"
#include "protocol/messages/conversation_requests.h"
#include "protocol/messages/events.h"

#include <QDirIterator>
#include <QJsonDocument>
#include <QSet>
#include <QtTest>

#include <memory>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

/// The group's title: in clear on the relay (docs/encryption.md, section 6, phase 1), so
/// finding it shows the scan of the relay's files sees what the relay writes.
constexpr auto kGroupTitle = "Boathouse crew of five";

/// How long a step may take to show on a device: far more than it needs on a loaded
/// sanitizer build.
constexpr int kWaitMs = 30000;
constexpr auto kPassword = "correct horse";

/// The texts of the messages a device shows in a conversation, in order (a deleted one, or
/// one that could not be opened, shows as an empty text).
QStringList texts(TestClient &device, qint64 conversation)
{
    QStringList list;
    for (const local::Message &message : device.messages(conversation)) {
        if (message.kind == u"message")
            list.append(message.body.value(u"text"_s).toString());
    }
    return list;
}

bool showsAll(TestClient &device, qint64 conversation, const QStringList &wanted)
{
    const QStringList shown = texts(device, conversation);
    for (const QString &text : wanted) {
        if (!shown.contains(text))
            return false;
    }
    return true;
}

/// The message `clientId` as `device` has it stored, or an empty one.
local::Message messageOf(TestClient &device, qint64 conversation, const QString &clientId)
{
    for (const local::Message &message : device.messages(conversation)) {
        if (message.clientId == clientId)
            return message;
    }
    return {};
}

bool isMember(TestClient &device, qint64 conversation, qint64 user)
{
    for (const local::Member &member : device.conversation(conversation).members) {
        if (member.userId == user)
            return true;
    }
    return false;
}

/// The attachments of the message `clientId` as `device` has it, once it has it sent.
QList<MessageAttachment> attachmentsOf(TestClient &device, qint64 conversation,
                                       const QString &clientId)
{
    const local::Message message = messageOf(device, conversation, clientId);
    return message.seq ? MessageAttachment::in(message.body) : QList<MessageAttachment>();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// Downloads `attachment` through `device`'s transfers: the opened file's bytes, or why not.
struct Fetched
{
    QByteArray bytes;
    QString error;
};

Fetched fetch(TestClient &device, const MessageAttachment &attachment)
{
    TransferManager &transfers = device.client->transfers();
    QSignalSpy downloaded(&transfers, &TransferManager::downloaded);
    QSignalSpy failed(&transfers, &TransferManager::failed);
    const QString id
        = transfers.download({attachment.file.media, attachment.file.size, attachment.file.sha256,
                              attachment.file.name, attachment.key});
    const auto find = [&id](const QSignalSpy &spy, int argument) {
        for (const QList<QVariant> &arguments : spy) {
            if (arguments.at(0).toString() == id)
                return arguments.at(argument).toString();
        }
        return QString();
    };
    QString path;
    Fetched fetched;
    if (!QTest::qWaitFor(
            [&] {
                path = find(downloaded, 2);
                fetched.error = find(failed, 1);
                return !path.isEmpty() || !fetched.error.isEmpty();
            },
            kWaitMs))
        fetched.error = u"the download did not end"_s;
    if (!path.isEmpty())
        fetched.bytes = readFile(path);
    return fetched;
}

ChatClient::OutgoingFile outgoing(const QString &path)
{
    ChatClient::OutgoingFile file;
    file.path = path;
    file.type = u"application/octet-stream"_s;
    file.size = QFileInfo(path).size();
    return file;
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

class TestE2eScenario : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;
    std::unique_ptr<TestClient> m_alice1, m_alice2, m_bob1, m_bob2, m_bob3;
    std::unique_ptr<TestClient> m_carol, m_dave, m_erin, m_frank;
    qint64 m_direct = 0;
    qint64 m_group = 0;
    /// Everything sealed in the conversation: texts, the file's name. None may reach the relay.
    QStringList m_plaintexts;
    QString m_editedFrom, m_editedTo, m_deleted;
    QString m_fileMessage; ///< the client id of the message with the file
    QByteArray m_file;
    QByteArray m_marker;
    /// The group's texts from before Dave's removal, after it, and after Frank joined.
    QStringList m_groupBefore, m_groupWithoutDave, m_groupWithFrank;

    /// `text`, kept to be looked for in the relay's files at the end.
    QString said(const QString &text)
    {
        m_plaintexts.append(text);
        return text;
    }

    QList<TestClient *> directDevices() const
    {
        return {m_alice1.get(), m_alice2.get(), m_bob1.get(), m_bob2.get()};
    }

    /// The member devices of the group with Dave gone (Frank not there yet).
    QList<TestClient *> groupWithoutDave() const
    {
        return {m_alice1.get(), m_alice2.get(), m_bob1.get(),
                m_bob2.get(),   m_carol.get(),  m_erin.get()};
    }

    /// Links `device` to `username`'s account from `from`, a ready device of it, the way a
    /// person does: the new device signs in and needs linking, `from` offers a link with the
    /// password and shows a code, the code is typed on the new device, and `from` approves.
    void link(TestClient &from, TestClient &device, const QString &username)
    {
        device.client->setEndToEnd(true);
        QVERIFY(device.signIn(m_relay.port(), username));
        QTRY_COMPARE_WITH_TIMEOUT(device.client->e2e().state(), E2eEngine::State::NeedsLink,
                                  kWaitMs);
        QSignalSpy requested(&from.client->e2e(), &E2eEngine::linkRequested);
        QSignalSpy finished(&from.client->e2e(), &E2eEngine::linkFinished);
        const auto code = await(from.client->e2e().offerLink(QString::fromLatin1(kPassword)));
        QVERIFY2(code.ok(), code.ok() ? "" : qPrintable(code.error().message));
        auto joined = device.client->e2e().linkWithCode(*code);
        QTRY_COMPARE_WITH_TIMEOUT(requested.count(), 1, kWaitMs);
        from.client->e2e().answerLinkRequest(true);
        const auto linked = await(joined);
        QVERIFY2(linked.ok(), linked.ok() ? "" : qPrintable(linked.error().message));
        QCOMPARE(device.client->e2e().state(), E2eEngine::State::Ready);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
        QVERIFY2(finished.first().first().toBool(), qPrintable(finished.first().last().toString()));
    }

    /// What `reader` makes of the relay's entry of `message` (as its sender has it), were the
    /// relay to hand it over anyway (from a backup, say): opened with `reader`'s own keys, at
    /// a seq it never saw.
    QJsonObject openedBy(TestClient &reader, qint64 conversation, const local::Message &message)
    {
        const auto storedBody = [&] {
            return QJsonDocument::fromJson(
                       m_relay
                           .queryStore(u"SELECT body FROM events WHERE conversation_id = %1 AND "
                                       "seq = %2"_s.arg(conversation)
                                           .arg(*message.seq))
                           .toString()
                           .toUtf8())
                .object();
        };
        // Read beside the relay's writes: a read that meets a checkpoint is tried again.
        QJsonObject stored;
        if (!QTest::qWaitFor([&] { return (stored = storedBody()).contains(u"ciphertext"_s); },
                             kWaitMs))
            return {{u"error"_s, u"the relay's entry was not found"_s}};
        protocol::messages::LogEntry entry;
        entry.conversation = conversation;
        entry.seq = *message.seq + 1000;
        entry.kind = u"encrypted"_s;
        entry.sender = message.senderId;
        entry.time = QDateTime::currentMSecsSinceEpoch();
        entry.clientId = message.clientId;
        entry.body = stored;
        const qint64 me = reader.client->userId();
        const auto opened = await(reader.client->store().write<protocol::messages::LogEntry>(
            [entry, me](QSqlDatabase &db) { return local::e2e::open(db, entry, me); }));
        if (!opened)
            return {{u"error"_s, opened.error().message}};
        return opened->body;
    }

    /// Sends `text` from `device` into `conversation`; the stored (queued) message.
    local::Message send(TestClient &device, qint64 conversation, const QString &text)
    {
        const auto sent = await(device.client->outbox().send(conversation, text));
        return sent ? *sent : local::Message();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(m_relay.start({u"--e2e"_s, u"required"_s}), qPrintable(m_relay.lastError()));
    }

    void cleanupTestCase()
    {
        for (auto *device : {&m_alice1, &m_alice2, &m_bob1, &m_bob2, &m_bob3, &m_carol, &m_dave,
                             &m_erin, &m_frank})
            device->reset();
        if (m_relay.isRunning())
            QCOMPARE(m_relay.stop(), 0);
    }

    void aliceAndBobLinkASecondDevice()
    {
        for (auto *device : {&m_alice1, &m_alice2, &m_bob1, &m_bob2, &m_bob3, &m_carol, &m_dave,
                             &m_erin, &m_frank})
            *device = std::make_unique<TestClient>();
        QVERIFY(signUpEncrypting(*m_alice1, m_relay.port(), u"alice"_s));
        QVERIFY(signUpEncrypting(*m_bob1, m_relay.port(), u"bob"_s));
        link(*m_alice1, *m_alice2, u"alice"_s);
        if (QTest::currentTestFailed())
            return;
        link(*m_bob1, *m_bob2, u"bob"_s);
        if (QTest::currentTestFailed())
            return;
        for (TestClient *device : {m_alice1.get(), m_alice2.get(), m_bob1.get(), m_bob2.get()}) {
            const auto devices = await(device->client->e2e().devices());
            QVERIFY(devices.ok());
            QCOMPARE(devices->size(), 2);
        }
        QCOMPARE(m_alice2->client->userId(), m_alice1->client->userId());
        QCOMPARE(m_bob2->client->userId(), m_bob1->client->userId());
        // The others, one device each.
        QVERIFY(signUpEncrypting(*m_carol, m_relay.port(), u"carol"_s));
        QVERIFY(signUpEncrypting(*m_dave, m_relay.port(), u"dave"_s));
        QVERIFY(signUpEncrypting(*m_erin, m_relay.port(), u"erin"_s));
        QVERIFY(signUpEncrypting(*m_frank, m_relay.port(), u"frank"_s));
    }

    void aDirectChatReachesEveryDevice()
    {
        QVERIFY(m_bob2);
        const auto direct = await(m_alice1->client->openDirect(m_bob1->client->userId()));
        QVERIFY(direct.ok());
        m_direct = *direct;

        // Alice, on her first device.
        const QStringList fromAlice{
            said(u"alice: the heron waits by the weir at dawn"_s),
            said(u"alice: follow the second lantern, not the first"_s),
            said(u"alice: we meet at the old mill on thursday"_s),
            said(u"alice: the spare key hangs behind the 🦉 clock"_s),
        };
        QStringList sentIds;
        for (const QString &text : fromAlice) {
            sentIds.append(send(*m_alice1, m_direct, text).clientId);
            QVERIFY(!sentIds.last().isEmpty());
        }
        QTRY_VERIFY_WITH_TIMEOUT(m_alice1->pendingOutbox().isEmpty(), kWaitMs);
        for (TestClient *device : directDevices())
            QTRY_COMPARE_WITH_TIMEOUT(texts(*device, m_direct), fromAlice, kWaitMs);
        const local::Message atBob = messageOf(*m_bob2, m_direct, sentIds.first());
        QCOMPARE(atBob.body.value(u"e2e"_s).toBool(), true);
        QCOMPARE(m_bob2->conversation(m_direct).e2eSeq, *atBob.seq);

        // Bob answers from his second device, then Alice from hers: all four show both.
        QStringList expected = fromAlice;
        expected.append(said(u"bob, second device: the weir is flooded, take the bridge"_s));
        QVERIFY(!send(*m_bob2, m_direct, expected.last()).clientId.isEmpty());
        for (TestClient *device : directDevices())
            QTRY_COMPARE_WITH_TIMEOUT(texts(*device, m_direct), expected, kWaitMs);
        expected.append(said(u"alice, second device: the bridge it is, at six"_s));
        QVERIFY(!send(*m_alice2, m_direct, expected.last()).clientId.isEmpty());
        for (TestClient *device : directDevices())
            QTRY_COMPARE_WITH_TIMEOUT(texts(*device, m_direct), expected, kWaitMs);

        // Alice edits the third message and deletes the fourth, for everyone.
        const local::Message toEdit = messageOf(*m_alice1, m_direct, sentIds.at(2));
        const local::Message toDelete = messageOf(*m_alice1, m_direct, sentIds.at(3));
        QVERIFY(toEdit.seq && toDelete.seq);
        m_editedFrom = fromAlice.at(2);
        m_editedTo = said(u"alice: no, the boathouse on friday instead"_s);
        m_deleted = fromAlice.at(3);
        QVERIFY(await(m_alice1->client->outbox().edit(m_direct, *toEdit.seq, m_editedTo)).ok());
        QVERIFY(await(m_alice1->client->outbox().remove(m_direct, *toDelete.seq)).ok());
        expected[2] = m_editedTo;
        expected[3] = QString();
        for (TestClient *device : directDevices()) {
            QTRY_COMPARE_WITH_TIMEOUT(texts(*device, m_direct), expected, kWaitMs);
            const local::Message deleted = messageOf(*device, m_direct, toDelete.clientId);
            QVERIFY2(deleted.body.value(u"deleted"_s).toBool(), qPrintable(compact(deleted.body)));
            QVERIFY(!compact(deleted.body).contains(u"🦉"_s));
            const local::Message edited = messageOf(*device, m_direct, toEdit.clientId);
            QVERIFY(edited.body.contains(u"edited_at"_s));
        }
        QTRY_VERIFY_WITH_TIMEOUT(m_alice1->pendingOutbox().isEmpty(), kWaitMs);
    }

    void aFileGoesSealedAndOpensByteForByte()
    {
        QVERIFY(m_direct);
        // 200 KB of noise with a marker no chance can make.
        m_file = randomBytes(200 * 1024, 19);
        m_marker = QByteArray("<<tidings e2e scenario marker: this must never reach the relay>>");
        QCOMPARE(m_marker.size(), 64);
        m_file.replace(100000, m_marker.size(), m_marker);
        const QString name = said(u"boathouse-floor-plan-v3.bin"_s);
        const QString path = writeFile(m_alice1->directory->filePath(name), m_file);
        QVERIFY(!path.isEmpty());
        const QString caption = said(u"alice: the floor plan of the boathouse, attached"_s);
        const auto queued = await(m_alice1->client->sendFiles(m_direct, caption, {outgoing(path)}));
        QVERIFY2(queued.ok(), queued.ok() ? "" : qPrintable(queued.error().message));
        m_fileMessage = queued->clientId;
        QTRY_VERIFY_WITH_TIMEOUT(!attachmentsOf(*m_alice1, m_direct, m_fileMessage).isEmpty()
                                     || messageOf(*m_alice1, m_direct, m_fileMessage).state
                                         == u"failed"_s,
                                 kWaitMs);
        QCOMPARE(messageOf(*m_alice1, m_direct, m_fileMessage).state, u"sent"_s);

        for (TestClient *device : {m_alice2.get(), m_bob1.get(), m_bob2.get()}) {
            QTRY_VERIFY_WITH_TIMEOUT(!attachmentsOf(*device, m_direct, m_fileMessage).isEmpty(),
                                     kWaitMs);
            const local::Message message = messageOf(*device, m_direct, m_fileMessage);
            QCOMPARE(message.body.value(u"text"_s).toString(), caption);
            const QList<MessageAttachment> received
                = attachmentsOf(*device, m_direct, m_fileMessage);
            QCOMPARE(received.size(), 1);
            QVERIFY(received.first().isSealed());
            QCOMPARE(received.first().file.name, name);
            QCOMPARE(received.first().file.size, qint64(m_file.size()));
        }
        // Bob's second device downloads it and opens the very bytes.
        const Fetched fetched
            = fetch(*m_bob2, attachmentsOf(*m_bob2, m_direct, m_fileMessage).first());
        QVERIFY2(fetched.error.isEmpty(), qPrintable(fetched.error));
        QCOMPARE(fetched.bytes.size(), m_file.size());
        QVERIFY(fetched.bytes == m_file);
    }

    void aGroupOfFiveReadsAlong()
    {
        QVERIFY(m_direct);
        const QList<qint64> invited{m_bob1->client->userId(), m_carol->client->userId(),
                                    m_dave->client->userId(), m_erin->client->userId()};
        const auto group
            = await(m_alice1->client->createGroup(QString::fromLatin1(kGroupTitle), invited));
        QVERIFY(group.ok());
        m_group = *group;
        const QList<TestClient *> members{m_alice1.get(), m_alice2.get(), m_bob1.get(),
                                          m_bob2.get(),   m_carol.get(),  m_dave.get(),
                                          m_erin.get()};
        for (TestClient *device : members)
            QTRY_COMPARE_WITH_TIMEOUT(device->conversation(m_group).memberCount, 5, kWaitMs);

        m_groupBefore = {said(u"alice to the crew: the oars are in the shed"_s),
                         said(u"carol to the crew: I will bring forty metres of rope"_s),
                         said(u"erin to the crew: the tide turns at a quarter past four"_s),
                         said(u"bob to the crew, second device: I have the thermos"_s),
                         said(u"dave to the crew: count me in for the first crossing"_s)};
        const QList<TestClient *> senders{m_alice1.get(), m_carol.get(), m_erin.get(), m_bob2.get(),
                                          m_dave.get()};
        for (qsizetype i = 0; i < senders.size(); ++i)
            QVERIFY(!send(*senders.at(i), m_group, m_groupBefore.at(i)).clientId.isEmpty());
        for (TestClient *device : members)
            QTRY_VERIFY_WITH_TIMEOUT(showsAll(*device, m_group, m_groupBefore), kWaitMs);
        // Every device shows them in the relay's one order, once each sender has its acks.
        for (TestClient *device : senders)
            QTRY_VERIFY_WITH_TIMEOUT(device->pendingOutbox().isEmpty(), kWaitMs);
        const QStringList order = texts(*m_alice1, m_group);
        QCOMPARE(order.size(), m_groupBefore.size());
        for (TestClient *device : members)
            QCOMPARE(texts(*device, m_group), order);
    }

    void aRemovedMemberCannotReadWhatFollows()
    {
        QVERIFY(m_group);
        const qint64 daveId = m_dave->client->userId();
        QVERIFY(
            await(m_alice1->client->changeGroup(protocol::messages::RemoveMember{m_group, daveId}))
                .ok());
        // Everyone who sends next knows Dave is gone (a sender that had not seen it yet could
        // still use its old chain: docs/encryption.md, section 12).
        for (TestClient *device : groupWithoutDave())
            QTRY_VERIFY_WITH_TIMEOUT(!isMember(*device, m_group, daveId), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(m_dave->conversation(m_group).leftSeq.has_value(), kWaitMs);
        const local::Seq daveLeft = *m_dave->conversation(m_group).leftSeq;

        m_groupWithoutDave = {said(u"alice, after dave left: the key is under the blue pot"_s),
                              said(u"carol, after dave left: new crossing time is 05:40"_s),
                              said(u"bob, after dave left: I told nobody about the pot"_s)};
        const QList<TestClient *> senders{m_alice1.get(), m_carol.get(), m_bob1.get()};
        for (qsizetype i = 0; i < senders.size(); ++i)
            QVERIFY(!send(*senders.at(i), m_group, m_groupWithoutDave.at(i)).clientId.isEmpty());
        for (TestClient *device : groupWithoutDave())
            QTRY_VERIFY_WITH_TIMEOUT(showsAll(*device, m_group, m_groupWithoutDave), kWaitMs);

        // Dave keeps what he had, and has nothing of what followed: no entry past his removal.
        QVERIFY(showsAll(*m_dave, m_group, m_groupBefore));
        for (const local::Message &message : m_dave->messages(m_group))
            QVERIFY2(!message.seq || *message.seq <= daveLeft, qPrintable(compact(message.body)));
        // Were the relay to hand him one, his keys would not open it: the chain is new.
        const auto afterRemoval = storedWithText(*m_alice1, m_group, m_groupWithoutDave.first());
        QVERIFY(afterRemoval && afterRemoval->seq);
        const QJsonObject opened = openedBy(*m_dave, m_group, *afterRemoval);
        QVERIFY2(opened.value(u"e2e"_s).toString() == u"waiting"_s, qPrintable(compact(opened)));
        QVERIFY(opened.value(u"text"_s).toString().isEmpty());
    }

    void aNewMemberReadsOnlyWhatFollows()
    {
        QVERIFY(!m_groupWithoutDave.isEmpty());
        const qint64 frankId = m_frank->client->userId();
        QVERIFY(
            await(m_alice1->client->changeGroup(protocol::messages::AddMembers{m_group, {frankId}}))
                .ok());
        QList<TestClient *> members = groupWithoutDave();
        members.append(m_frank.get());
        for (TestClient *device : members)
            QTRY_VERIFY_WITH_TIMEOUT(isMember(*device, m_group, frankId), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_frank->conversation(m_group).memberCount, 5, kWaitMs);

        m_groupWithFrank = {said(u"alice, with frank: welcome aboard, frank"_s),
                            said(u"erin, with frank: frank sits at the stern"_s),
                            said(u"bob, second device, with frank: spare gloves for frank"_s),
                            said(u"frank: glad to be part of this crew at last"_s)};
        const QList<TestClient *> senders{m_alice1.get(), m_erin.get(), m_bob2.get(),
                                          m_frank.get()};
        for (qsizetype i = 0; i < senders.size(); ++i)
            QVERIFY(!send(*senders.at(i), m_group, m_groupWithFrank.at(i)).clientId.isEmpty());
        for (TestClient *device : members)
            QTRY_VERIFY_WITH_TIMEOUT(showsAll(*device, m_group, m_groupWithFrank), kWaitMs);

        // Frank reads what was said since he joined, and nothing from before, anywhere on
        // his device.
        QCOMPARE(texts(*m_frank, m_group).size(), m_groupWithFrank.size());
        const QByteArray franksFiles = relayBytes(m_frank->directory->path());
        for (const QString &text : m_groupBefore + m_groupWithoutDave)
            QVERIFY2(!franksFiles.contains(text.toUtf8()), qPrintable(text));
        // His keys do not open earlier messages either: the ratchet only goes forward.
        for (const QString &text : {m_groupBefore.first(), m_groupWithoutDave.first()}) {
            const auto earlier = storedWithText(*m_alice1, m_group, text);
            QVERIFY(earlier && earlier->seq);
            const QJsonObject opened = openedBy(*m_frank, m_group, *earlier);
            QVERIFY2(opened.value(u"e2e"_s).toString() == u"waiting"_s,
                     qPrintable(compact(opened)));
            QVERIFY(opened.value(u"text"_s).toString().isEmpty());
        }

        // Dave, removed, got none of it either.
        const QByteArray davesFiles = relayBytes(m_dave->directory->path());
        for (const QString &text : m_groupWithoutDave + m_groupWithFrank) {
            QVERIFY2(!texts(*m_dave, m_group).contains(text), qPrintable(text));
            QVERIFY2(!davesFiles.contains(text.toUtf8()), qPrintable(text));
        }
    }

    void aDeviceLinkedLaterReadsTheHistoryItWasGiven()
    {
        QVERIFY(!m_groupWithFrank.isEmpty());
        const qint64 bobId = m_bob1->client->userId();
        int devicesHeard = 0;
        const QObject listening; // the counting ends with this slot
        connect(&m_alice1->client->connection(), &Connection::eventReceived, &listening,
                [&devicesHeard, bobId](const protocol::Frame &frame) {
                    if (frame.type == u"devices"_s
                        && frame.fields.value(u"user"_s).toInteger() == bobId)
                        ++devicesHeard;
                });
        link(*m_bob1, *m_bob3, u"bob"_s);
        if (QTest::currentTestFailed())
            return;

        // The direct chat as his other devices show it: the edit, the delete, the file.
        const QStringList direct = texts(*m_bob1, m_direct);
        QCOMPARE(direct, texts(*m_alice1, m_direct));
        QTRY_COMPARE_WITH_TIMEOUT(texts(*m_bob3, m_direct), direct, kWaitMs);
        QVERIFY(direct.contains(m_editedTo));
        QVERIFY(!direct.contains(m_editedFrom));
        QVERIFY(!direct.contains(m_deleted));
        QList<MessageAttachment> attachments;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(attachments = attachmentsOf(*m_bob3, m_direct, m_fileMessage)).isEmpty(), kWaitMs);
        const Fetched fetched = fetch(*m_bob3, attachments.first());
        QVERIFY2(fetched.error.isEmpty(), qPrintable(fetched.error));
        QVERIFY(fetched.bytes == m_file);
        // The group, all of it: Bob was there from the start.
        const QStringList group = texts(*m_bob1, m_group);
        QCOMPARE(group.size(),
                 m_groupBefore.size() + m_groupWithoutDave.size() + m_groupWithFrank.size());
        QTRY_COMPARE_WITH_TIMEOUT(texts(*m_bob3, m_group), group, kWaitMs);

        // And it reads what comes next, like his other devices.
        QTRY_VERIFY_WITH_TIMEOUT(devicesHeard >= 2, kWaitMs); // the new list, the registration
        const QString next = said(u"alice: hello to all three of bob's devices"_s);
        QVERIFY(!send(*m_alice1, m_direct, next).clientId.isEmpty());
        for (TestClient *device : {m_bob1.get(), m_bob2.get(), m_bob3.get(), m_alice2.get()})
            QTRY_VERIFY_WITH_TIMEOUT(texts(*device, m_direct).contains(next), kWaitMs);
    }

    void theRelayKeepsNoPlaintext()
    {
        QVERIFY(m_bob3 && !m_groupWithFrank.isEmpty());
        // The texts are long and distinct enough that finding one cannot be chance.
        QCOMPARE(QSet<QString>(m_plaintexts.cbegin(), m_plaintexts.cend()).size(),
                 m_plaintexts.size());
        for (const QString &text : std::as_const(m_plaintexts))
            QVERIFY2(text.toUtf8().size() >= 16, qPrintable(text));
        QVERIFY(m_plaintexts.contains(m_editedFrom));
        QVERIFY(m_plaintexts.contains(m_editedTo));
        QVERIFY(m_plaintexts.contains(m_deleted));
        // The relay kept the conversation, sealed.
        QVERIFY(
            m_relay.queryStore(u"SELECT count(*) FROM events WHERE kind = 'encrypted'"_s).toInt()
            > 15);
        QCOMPARE(
            m_relay.queryStore(u"SELECT count(*) FROM events WHERE kind = 'message'"_s).toInt(), 0);

        const QString dataDirectory = m_relay.dataDirectory();
        const auto checkRelay = [&](const char *when) {
            const QByteArray stored = relayBytes(dataDirectory);
            QVERIFY2(stored.contains(kGroupTitle), when);
            // The file went up: the media directory holds at least its size in ciphertext.
            QVERIFY2(relayBytes(dataDirectory + u"/media"_s).size() >= m_file.size(), when);
            for (const QString &text : std::as_const(m_plaintexts))
                QVERIFY2(!stored.contains(text.toUtf8()),
                         qPrintable(u"%1: %2"_s.arg(QLatin1StringView(when), text)));
            QVERIFY2(!stored.contains(m_marker), when);
            // Nor any other part of the file.
            for (qsizetype at = 0; at + 64 <= m_file.size(); at += 20 * 1024)
                QVERIFY2(!stored.contains(m_file.mid(at, 64)), when);
        };
        checkRelay("while the relay runs");
        if (QTest::currentTestFailed())
            return;

        // Once it has stopped, its WAL checkpointed into the database.
        for (TestClient *device :
             {m_alice1.get(), m_alice2.get(), m_bob1.get(), m_bob2.get(), m_bob3.get(),
              m_carol.get(), m_dave.get(), m_erin.get(), m_frank.get()})
            device->client->stop();
        QCOMPARE(m_relay.stop(), 0);
        checkRelay("after the relay stopped");
    }
};

QTEST_GUILESS_MAIN(TestE2eScenario)
#include "tst_e2e_scenario.moc"
