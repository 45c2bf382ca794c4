#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;

namespace tidings::app {

class E2eStatus;

/// Settings → Devices → "Link a new device…" (docs/encryption.md, section 3): asks for the
/// account's password, shows the link code to type on the new device, asks "Link <name>?"
/// when that device answers, and says how it ended. Closing it before then ends the offer.
class LinkDeviceDialog : public QDialog
{
    Q_OBJECT

public:
    explicit LinkDeviceDialog(E2eStatus &e2e, QWidget *parent = nullptr);

    /// Cancel, Close or Escape: ends the offer, unless the keys are being handed over.
    void reject() override;

private:
    enum class Step { Password, Checking, Code, Question, Linking, Done };

    QWidget *makePasswordPage();
    QWidget *makeCodePage();
    QWidget *makeQuestionPage();
    QWidget *makeDonePage();
    void setStep(Step step);
    void submitPassword();
    void showPasswordState(const QString &text, bool error);
    void onLinkRequested(const QString &name);
    void onLinkFinished(bool linked, const QString &message);

    E2eStatus &m_e2e;
    Step m_step = Step::Password;
    QStackedWidget *m_pages = nullptr;
    QWidget *m_passwordPage = nullptr;
    QWidget *m_codePage = nullptr;
    QWidget *m_questionPage = nullptr;
    QWidget *m_donePage = nullptr;
    QLineEdit *m_password = nullptr;
    QLabel *m_passwordState = nullptr;
    QLabel *m_code = nullptr;
    QLabel *m_question = nullptr;
    QLabel *m_questionState = nullptr;
    QLabel *m_result = nullptr;
    QPushButton *m_continue = nullptr;
    QPushButton *m_link = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_close = nullptr;
};

} // namespace tidings::app
