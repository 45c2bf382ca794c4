#pragma once

#include "core/chat_client.h"
#include "core/local_queries.h"
#include "support/await.h"

#include <QTemporaryDir>

#include <memory>
#include <optional>

namespace tidings::test {

/// A ChatClient with its own temporary data directory, as a test's user.
struct TestClient
{
    explicit TestClient(const QString &databaseDirectory = {},
                        app::Connection::Options options = fastOptions());

    static app::Connection::Options fastOptions();

    /// Opens the store, connects to the relay on `port` and registers (or logs in with)
    /// `username`. True when signed in and caught up.
    bool signUp(quint16 port, const QString &username);
    bool signIn(quint16 port, const QString &username);
    bool waitCaughtUp(int timeoutMs = 20000);

    // What the client has stored, read straight from its SQLite file on the test's own
    // connection (WAL lets it read beside the client's thread): synchronous, so a QTRY
    // predicate never nests event loops.
    QList<app::local::Message> messages(qint64 conversation);
    app::local::Conversation conversation(qint64 id);
    QList<app::local::OutboxItem> pendingOutbox();
    ~TestClient();

    std::unique_ptr<QTemporaryDir> directory;
    QString databasePath;
    QString readerName;
    std::unique_ptr<app::ChatClient> client;
};

/// Every byte the relay keeps under `directory` (its database with its WAL, its media):
/// what a test greps for plaintext.
QByteArray relayBytes(const QString &directory);

/// Whether `client`'s end-to-end encryption is set up (E2eEngine::State::Ready).
bool e2eReady(TestClient &client);
/// Signs `username` up on the relay on `port` with encryption on, and waits until the
/// device is set up. True when it is.
bool signUpEncrypting(TestClient &client, quint16 port, const QString &username);

/// The message with `text` as `client` has stored it in `conversation`, if it has.
std::optional<app::local::Message> storedWithText(TestClient &client, qint64 conversation,
                                                  const QString &text);

} // namespace tidings::test
