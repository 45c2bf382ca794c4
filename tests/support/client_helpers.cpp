#include "support/client_helpers.h"

#include "core/e2e_engine.h"

#include <QDirIterator>
#include <QFile>

#include <QDeadlineTimer>
#include <QSignalSpy>
#include <QSqlDatabase>

namespace tidings::test {

using namespace Qt::StringLiterals;

TestClient::TestClient(const QString &databaseDirectory, app::Connection::Options options)
{
    QString dir = databaseDirectory;
    if (dir.isEmpty()) {
        directory = std::make_unique<QTemporaryDir>();
        dir = directory->path();
    }
    databasePath = dir + u"/tidings.db"_s;
    client = std::make_unique<app::ChatClient>(databasePath, options);
}

app::Connection::Options TestClient::fastOptions()
{
    app::Connection::Options options;
    options.minimumBackoffMs = 50;
    options.maximumBackoffMs = 500;
    options.heartbeatMs = 2000;
    options.requestTimeoutMs = 10000;
    return options;
}

bool TestClient::waitCaughtUp(int timeoutMs)
{
    QSignalSpy caughtUp(&client->sync(), &app::SyncEngine::caughtUp);
    return caughtUp.wait(timeoutMs);
}

bool TestClient::signUp(quint16 port, const QString &username)
{
    if (!await(client->open()).ok())
        return false;
    client->start(*app::ServerAddress::parse(u"127.0.0.1:%1"_s.arg(port)));
    QSignalSpy signedOut(&client->connection(), &app::Connection::stateChanged);
    const QDeadlineTimer deadline(10000);
    while (client->connection().state() != app::Connection::State::SignedOut
           && !deadline.hasExpired())
        signedOut.wait(static_cast<int>(std::max<qint64>(1, deadline.remainingTime())));
    QSignalSpy caughtUp(&client->sync(), &app::SyncEngine::caughtUp);
    if (!await(client->registerAccount(username, u"correct horse"_s)).ok())
        return false;
    return caughtUp.count() > 0 || caughtUp.wait(20000);
}

bool TestClient::signIn(quint16 port, const QString &username)
{
    if (!await(client->open()).ok())
        return false;
    client->start(*app::ServerAddress::parse(u"127.0.0.1:%1"_s.arg(port)));
    QSignalSpy states(&client->connection(), &app::Connection::stateChanged);
    const QDeadlineTimer deadline(10000);
    while (client->connection().state() != app::Connection::State::SignedOut
           && !deadline.hasExpired())
        states.wait(static_cast<int>(std::max<qint64>(1, deadline.remainingTime())));
    QSignalSpy caughtUp(&client->sync(), &app::SyncEngine::caughtUp);
    if (!await(client->logIn(username, u"correct horse"_s)).ok())
        return false;
    return caughtUp.count() > 0 || caughtUp.wait(20000);
}

namespace {

QSqlDatabase readerFor(const QString &name, const QString &path)
{
    if (QSqlDatabase::contains(name))
        return QSqlDatabase::database(name);
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
    db.setDatabaseName(path);
    db.setConnectOptions(u"QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"_s);
    db.open();
    return db;
}

} // namespace

TestClient::~TestClient()
{
    client.reset();
    if (!readerName.isEmpty() && QSqlDatabase::contains(readerName)) {
        QSqlDatabase::database(readerName).close();
        QSqlDatabase::removeDatabase(readerName);
    }
}

QList<app::local::Message> TestClient::messages(qint64 conversation)
{
    if (readerName.isEmpty())
        readerName = u"test-reader-%1"_s.arg(quintptr(this));
    QSqlDatabase db = readerFor(readerName, databasePath);
    auto list = app::local::messages(db, conversation, 0, 100000);
    return list ? *list : QList<app::local::Message>();
}

app::local::Conversation TestClient::conversation(qint64 id)
{
    if (readerName.isEmpty())
        readerName = u"test-reader-%1"_s.arg(quintptr(this));
    QSqlDatabase db = readerFor(readerName, databasePath);
    auto found = app::local::conversation(db, id, client->userId());
    return found ? *found : app::local::Conversation();
}

QList<app::local::OutboxItem> TestClient::pendingOutbox()
{
    if (readerName.isEmpty())
        readerName = u"test-reader-%1"_s.arg(quintptr(this));
    QSqlDatabase db = readerFor(readerName, databasePath);
    auto items = app::local::pendingOutbox(db, 100000);
    return items ? *items : QList<app::local::OutboxItem>();
}

std::optional<app::local::Message> storedWithText(TestClient &client, qint64 conversation,
                                                  const QString &text)
{
    const auto stored = client.messages(conversation);
    for (const app::local::Message &message : stored) {
        if (message.body.value(u"text"_s).toString() == text)
            return message;
    }
    return std::nullopt;
}

QByteArray relayBytes(const QString &directory)
{
    QByteArray all;
    QDirIterator files(directory, QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        QFile file(files.next());
        if (file.open(QIODevice::ReadOnly))
            all += file.readAll();
    }
    return all;
}

bool e2eReady(TestClient &client)
{
    return client.client->e2e().state() == app::E2eEngine::State::Ready;
}

bool signUpEncrypting(TestClient &client, quint16 port, const QString &username)
{
    client.client->setEndToEnd(true);
    if (!client.signUp(port, username))
        return false;
    QSignalSpy changed(&client.client->e2e(), &app::E2eEngine::stateChanged);
    const QDeadlineTimer deadline(20000);
    while (!e2eReady(client) && !deadline.hasExpired())
        changed.wait(static_cast<int>(std::max<qint64>(1, deadline.remainingTime())));
    return e2eReady(client);
}

} // namespace tidings::test
