#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;

namespace tidings::app {

class ChatClient;
class E2eStatus;

/// A banner across the top of the chats while this device needs linking (its account
/// encrypts on another device; docs/encryption.md, section 3): what to do on the other
/// device, a field for the code shown there, and Link. It goes once the device is linked.
class LinkPrompt : public QWidget
{
    Q_OBJECT

public:
    explicit LinkPrompt(ChatClient &client, QWidget *parent = nullptr);

protected:
    void changeEvent(QEvent *event) override;

private:
    void updateVisibility();
    void link();
    void applyColours();
    void setStatus(const QString &text, bool error);

    E2eStatus *m_e2e = nullptr;
    QLineEdit *m_code = nullptr;
    QPushButton *m_link = nullptr;
    QLabel *m_status = nullptr;
    bool m_linking = false;
};

} // namespace tidings::app
