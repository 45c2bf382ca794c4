#pragma once

#include "models/e2e_status.h"

#include <QWidget>

class QFrame;
class QLabel;
class QPushButton;
class QVBoxLayout;

namespace tidings::app {

/// Settings → Devices (docs/encryption.md, section 3): the account's devices (this one
/// first, with when each was added and last seen), "Remove this device" on each other one,
/// and "Link a new device…", which this device offers once it is set up for encryption.
class DevicesSection : public QWidget
{
    Q_OBJECT

public:
    explicit DevicesSection(E2eStatus &e2e, QWidget *parent = nullptr);

    /// Asks the relay for the list again.
    void refresh();

private:
    void showDevices(const QList<E2eStatus::Device> &devices);
    /// After a link: the new device is listed once it has registered, a moment later.
    void awaitNewDevice();
    void askToRemove(quint32 id, const QString &name);
    void showLinkDialog();
    void updateState();
    void setStatus(const QString &text, bool error);

    E2eStatus &m_e2e;
    QFrame *m_list = nullptr;
    QVBoxLayout *m_rows = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_hint = nullptr;
    QPushButton *m_link = nullptr;
    /// Bumped at every refresh: an older answer is not shown.
    quint64 m_refreshes = 0;
    /// The devices listed now.
    QList<quint32> m_shown;
    /// While a newly linked device is awaited: those listed before it, and the tries left.
    QList<quint32> m_before;
    int m_triesLeft = 0;
};

} // namespace tidings::app
