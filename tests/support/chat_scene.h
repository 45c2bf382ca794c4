#pragma once

#include "support/app_window.h"
#include "support/client_helpers.h"
#include "support/relay_process.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <utility>
#include <vector>

namespace tidings::test {

/// What most UI tests start from, in a couple of lines: a relay, the people of the test
/// signed up on it — some in the real app's window, some as core clients — and the first
/// window's chat with someone open.
///
///     ChatScene scene;
///     QVERIFY2(scene.start({.windows = {u"alice"_s}, .clients = {u"bob"_s},
///                           .chatWith = u"bob"_s}),
///              qPrintable(scene.error()));
///     AppWindow &alice = scene.window(u"alice"_s);
///     TestClient &bob = scene.client(u"bob"_s);
///
/// It ends as a test's locals would: windows first, then clients, then the relay.
class ChatScene
{
public:
    /// Who and what a scene has. Every member has a default initializer, so that designated
    /// initializers may leave any out (GCC 12 warns about a member left out without one).
    struct Cast
    {
        /// Extra command-line arguments for the relay ("--message-rate", "1000").
        QStringList relayArguments = {};
        /// People in the app's window, each on a profile of its own, signed up through the
        /// sign-in form; the first is the one who opens the chat.
        QStringList windows = {};
        /// People as core ChatClients (TestClient), signed up before the windows start.
        QStringList clients = {};
        /// Opened in the first window through New Chat, when not empty.
        QString chatWith = {};
        /// Waits until the first window is the active one before the chat opens.
        bool activeWindow = false;
    };

    ChatScene() = default;
    ChatScene(const ChatScene &) = delete;
    ChatScene &operator=(const ChatScene &) = delete;
    ~ChatScene();

    /// Starts the relay, signs up the clients, launches and signs up the windows and opens
    /// the chat. False, with error() naming the step, when one of them fails.
    bool start(const Cast &cast);
    QString error() const { return m_error; }

    RelayProcess &relay() { return m_relay; }
    /// The window or client of `name`; asking for one the cast does not have is the test's
    /// mistake and stops the test binary.
    AppWindow &window(const QString &name) const;
    TestClient &client(const QString &name) const;
    /// The chat the first window opened with Cast::chatWith; 0 when none was asked for.
    qint64 conversation() const { return m_conversation; }

private:
    bool fail(const QString &why);

    RelayProcess m_relay;
    qint64 m_conversation = 0;
    std::vector<std::pair<QString, std::unique_ptr<TestClient>>> m_clients;
    std::vector<std::pair<QString, std::unique_ptr<AppWindow>>> m_windows;
    QString m_error;
};

} // namespace tidings::test
