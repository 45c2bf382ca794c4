#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace tidings::app {

/// The first screen: the server (remembered), username and password, and whether to sign
/// in or create an account. Says what went wrong in words a user can act on.
class SignInPage : public QWidget
{
    Q_OBJECT

public:
    explicit SignInPage(QWidget *parent = nullptr);

    void setServer(const QString &server);
    void setUsername(const QString &username);
    QString server() const;
    QString username() const;
    QString password() const;
    QString displayName() const;
    bool isRegistering() const;

    /// Shows the form as waiting (fields locked, a "Signing in…" line) or ready again.
    void setBusy(bool busy);
    void showError(const QString &message);
    void showMessage(const QString &message);
    void clearPassword();
    void focusFirstEmpty();

Q_SIGNALS:
    void submitted();
    void cancelled();

private:
    void updateMode();
    void setStatus(const QString &text, bool error);

    QLabel *m_title = nullptr;
    QLineEdit *m_server = nullptr;
    QLineEdit *m_username = nullptr;
    QLineEdit *m_password = nullptr;
    QLineEdit *m_displayName = nullptr;
    QLabel *m_displayNameLabel = nullptr;
    QCheckBox *m_register = nullptr;
    QPushButton *m_submit = nullptr;
    QLabel *m_status = nullptr;
    bool m_busy = false;
};

} // namespace tidings::app
