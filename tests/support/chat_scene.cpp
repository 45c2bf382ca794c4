#include "support/chat_scene.h"

#include "ui/chat_page.h"
#include "ui/conversation_view.h"

#include <QtTest>

namespace tidings::test {

using namespace Qt::StringLiterals;

ChatScene::~ChatScene()
{
    // The reverse of the order they started in, as locals of a test end.
    while (!m_windows.empty())
        m_windows.pop_back();
    while (!m_clients.empty())
        m_clients.pop_back();
}

bool ChatScene::start(const Cast &cast)
{
    if (!m_relay.start(cast.relayArguments))
        return fail(m_relay.lastError()); // says "relay …" and what it printed
    for (const QString &name : cast.clients) {
        m_clients.emplace_back(name, std::make_unique<TestClient>());
        if (!m_clients.back().second->signUp(m_relay.port(), name))
            return fail(name + u" (a core client) could not sign up"_s);
    }
    for (const QString &name : cast.windows) {
        m_windows.emplace_back(name, std::make_unique<AppWindow>());
        m_windows.back().second->launch();
    }
    for (const auto &[name, app] : m_windows) {
        if (!app->signUp(m_relay.port(), name))
            return fail(name + u"'s window could not sign up: the chats did not show"_s);
    }
    if (m_windows.empty())
        return cast.chatWith.isEmpty() || fail(u"a chat to open, but no window to open it in"_s);
    const auto &[name, first] = m_windows.front();
    if (cast.activeWindow && !QTest::qWaitForWindowActive(first->window.get()))
        return fail(name + u"'s window did not become the active one"_s);
    if (cast.chatWith.isEmpty())
        return true;
    if (!first->startChatWith(cast.chatWith))
        return fail(name + u" could not open a chat with "_s + cast.chatWith);
    m_conversation = first->view().conversationId();
    return true;
}

AppWindow &ChatScene::window(const QString &name) const
{
    for (const auto &[known, app] : m_windows) {
        if (known == name)
            return *app;
    }
    qFatal("ChatScene: no window of %s in the scene", qPrintable(name));
}

TestClient &ChatScene::client(const QString &name) const
{
    for (const auto &[known, testClient] : m_clients) {
        if (known == name)
            return *testClient;
    }
    qFatal("ChatScene: no client %s in the scene", qPrintable(name));
}

bool ChatScene::fail(const QString &why)
{
    m_error = why;
    return false;
}

} // namespace tidings::test
