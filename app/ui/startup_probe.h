#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

class QListView;

namespace tidings::app {

class MainWindow;

/// For the startup benchmark (tools/startup-bench): with TIDINGS_STARTUP_REPORT set, prints
/// to stdout when the conversation list is first painted with rows ("first-paint <ms>",
/// monotonic clock, comparable with the launcher's), and with TIDINGS_SCROLL_BENCH set it
/// then scrolls the first conversation back through its history and prints how long each
/// step took to lay out and paint ("scroll-step <ms>"), then quits. Does nothing otherwise.
class StartupProbe : public QObject
{
    Q_OBJECT

public:
    explicit StartupProbe(MainWindow &window);
    ~StartupProbe() override;

    /// Call first thing in main().
    static void markProcessStart();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void watchList();
    void startScrolling();
    void scrollStep();

    MainWindow &m_window;
    bool m_enabled = false;
    bool m_painted = false;
    QPointer<QListView> m_list;
    QPointer<QListView> m_messages;
    int m_steps = 0;
    int m_idleSteps = 0;
    QElapsedTimer m_sinceLastStep;
};

} // namespace tidings::app
