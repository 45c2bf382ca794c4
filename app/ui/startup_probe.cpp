#include "ui/startup_probe.h"

#include "models/conversation_list_model.h"
#include "models/message_list_model.h"
#include "ui/chat_page.h"
#include "ui/conversation_view.h"
#include "ui/main_window.h"
#include "ui/notifier.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QListView>
#include <QScrollBar>
#include <QTimer>

#include <cstdio>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

qint64 g_processStart = 0;

qint64 monotonicMs()
{
    return QDeadlineTimer::current().deadline();
}

} // namespace

void StartupProbe::markProcessStart()
{
    g_processStart = monotonicMs();
}

StartupProbe::StartupProbe(MainWindow &window) : QObject(&window), m_window(window)
{
    m_enabled = qEnvironmentVariableIsSet("TIDINGS_STARTUP_REPORT");
    if (!m_enabled)
        return;
    std::printf("main %lld\n", static_cast<long long>(g_processStart));
    std::fflush(stdout);
    connect(&window, &MainWindow::chatShown, this, &StartupProbe::watchList);
}

StartupProbe::~StartupProbe() = default;

void StartupProbe::watchList()
{
    m_list = m_window.chatPage()->findChild<QListView *>(u"conversationList"_s);
    if (m_list)
        m_list->viewport()->installEventFilter(this);
}

bool StartupProbe::eventFilter(QObject *watched, QEvent *event)
{
    if (!m_painted && m_list && watched == m_list->viewport() && event->type() == QEvent::Paint
        && m_list->model()->rowCount() > 0) {
        m_painted = true;
        // After the paint itself: what the user sees.
        QTimer::singleShot(0, this, [this] {
            std::printf("first-paint %lld\n", static_cast<long long>(monotonicMs()));
            std::fflush(stdout);
            if (qEnvironmentVariableIsSet("TIDINGS_SCROLL_BENCH"))
                QTimer::singleShot(qEnvironmentVariableIntValue("TIDINGS_SCROLL_BENCH_DELAY_MS"),
                                   this, &StartupProbe::startScrolling);
        });
    }
    return QObject::eventFilter(watched, event);
}

void StartupProbe::startScrolling()
{
    ChatPage *page = m_window.chatPage();
    if (!page)
        return;
    page->openConversation(
        page->conversations().index(0).data(ConversationListModel::IdRole).toLongLong());
    m_messages = page->view().findChild<QListView *>(u"messageList"_s);
    QTimer::singleShot(500, this, &StartupProbe::scrollStep);
}

void StartupProbe::scrollStep()
{
    if (!m_messages) {
        QApplication::quit();
        return;
    }
    const int maxSteps = qEnvironmentVariableIsSet("TIDINGS_SCROLL_BENCH_STEPS")
        ? qEnvironmentVariableIntValue("TIDINGS_SCROLL_BENCH_STEPS")
        : 400;
    QScrollBar *bar = m_messages->verticalScrollBar();
    // The time since the last step began: 16 ms of timer plus whatever the event loop did
    // meanwhile (laying out rows that came in, loading pages) — the frame interval a user
    // feels.
    const qint64 interval = m_sinceLastStep.isValid() ? m_sinceLastStep.restart() : 16;
    if (!m_sinceLastStep.isValid())
        m_sinceLastStep.start();
    QElapsedTimer timer;
    timer.start();
    // One wheel notch and the frame it makes, painted now.
    bar->setValue(bar->value() - 120);
    m_messages->viewport()->repaint();
    const qint64 spent = timer.nsecsElapsed();
    std::printf("scroll-step %.3f %d %d %lld\n", double(spent) / 1e6, bar->value(),
                m_messages->model() ? m_messages->model()->rowCount() : 0,
                static_cast<long long>(interval));
    std::fflush(stdout);
    m_idleSteps = bar->value() == 0 ? m_idleSteps + 1 : 0;
    if (++m_steps >= maxSteps || m_idleSteps > 50) {
        std::printf("scroll-done %d\n", m_steps);
        std::fflush(stdout);
        QApplication::quit();
        return;
    }
    // About 60 steps a second, as a fast wheel or a held key makes, with the loop free
    // between them (so older pages load as they would).
    QTimer::singleShot(16, this, &StartupProbe::scrollStep);
}

} // namespace tidings::app
