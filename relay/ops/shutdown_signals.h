#pragma once

#include <QObject>

class QSocketNotifier;

namespace tidings::relay {

/// Turns SIGINT and SIGTERM into a Qt signal on the thread that created this object (the
/// self-pipe trick: the handler only writes a byte, the event loop does the rest).
/// At most one instance may exist.
class ShutdownSignals : public QObject
{
    Q_OBJECT

public:
    explicit ShutdownSignals(QObject *parent = nullptr);
    ~ShutdownSignals() override;

Q_SIGNALS:
    void shutdownRequested(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace tidings::relay
