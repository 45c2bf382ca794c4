#pragma once

#include <QMainWindow>

class QLabel;
class QLineEdit;
class QPushButton;
class QSettings;

namespace tidings::app {

class RelayProbe;

/// The app's window. For now: the server choice — an address field that checks the relay
/// is there and remembers it.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(RelayProbe &probe, QSettings &settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Fills the address field and checks it, as if the user typed it and pressed Connect.
    void connectTo(const QString &address);

private:
    void onConnectClicked();
    void showStatus(const QString &text, bool isError);

    RelayProbe &m_probe;
    QSettings &m_settings;
    QLineEdit *m_serverAddress = nullptr;
    QPushButton *m_connectButton = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace tidings::app
