#include "ui/sign_in_page.h"

#include "ui/theme.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace tidings::app {

using namespace Qt::StringLiterals;

SignInPage::SignInPage(QWidget *parent) : QWidget(parent)
{
    setObjectName(u"signInPage"_s);
    auto *outer = new QVBoxLayout(this);
    outer->addStretch(1);

    auto *card = new QWidget(this);
    card->setObjectName(u"signInCard"_s);
    card->setFixedWidth(420);
    auto *layout = new QVBoxLayout(card);
    layout->setSpacing(12);

    m_title = new QLabel(card);
    m_title->setObjectName(u"titleLabel"_s);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setWeight(QFont::DemiBold);
    m_title->setFont(titleFont);
    m_title->setAlignment(Qt::AlignHCenter);
    layout->addWidget(m_title);

    auto *subtitle = new QLabel(tr("Chat that is never lost."), card);
    subtitle->setObjectName(u"subtitleLabel"_s);
    subtitle->setAlignment(Qt::AlignHCenter);
    subtitle->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(subtitle);
    layout->addSpacing(8);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_server = new QLineEdit(card);
    m_server->setObjectName(u"serverAddressEdit"_s);
    m_server->setAccessibleName(tr("Server address"));
    m_server->setPlaceholderText(tr("chat.example.org or localhost:8420"));
    m_server->setClearButtonEnabled(true);
    form->addRow(tr("&Server:"), m_server);
    m_username = new QLineEdit(card);
    m_username->setObjectName(u"usernameEdit"_s);
    m_username->setAccessibleName(tr("Username"));
    m_username->setMaxLength(64);
    form->addRow(tr("&Username:"), m_username);
    m_password = new QLineEdit(card);
    m_password->setObjectName(u"passwordEdit"_s);
    m_password->setAccessibleName(tr("Password"));
    m_password->setEchoMode(QLineEdit::Password);
    form->addRow(tr("&Password:"), m_password);
    m_displayName = new QLineEdit(card);
    m_displayName->setObjectName(u"displayNameEdit"_s);
    m_displayName->setAccessibleName(tr("Your name as others see it"));
    m_displayName->setPlaceholderText(tr("Optional"));
    m_displayNameLabel = new QLabel(tr("Your &name:"), card);
    m_displayNameLabel->setBuddy(m_displayName);
    form->addRow(m_displayNameLabel, m_displayName);
    layout->addLayout(form);

    m_register = new QCheckBox(tr("I am new here: create an &account"), card);
    m_register->setObjectName(u"registerCheck"_s);
    m_register->setAccessibleName(tr("Create a new account"));
    layout->addWidget(m_register);

    m_submit = new QPushButton(card);
    m_submit->setObjectName(u"signInButton"_s);
    m_submit->setDefault(true);
    layout->addWidget(m_submit);

    m_status = new QLabel(card);
    m_status->setObjectName(u"statusLabel"_s);
    m_status->setAccessibleName(tr("Sign-in status"));
    m_status->setWordWrap(true);
    m_status->setAlignment(Qt::AlignHCenter);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    outer->addWidget(card, 0, Qt::AlignHCenter);
    outer->addStretch(2);

    connect(m_register, &QCheckBox::toggled, this, &SignInPage::updateMode);
    connect(m_submit, &QPushButton::clicked, this, [this] {
        if (m_busy)
            Q_EMIT cancelled();
        else
            Q_EMIT submitted();
    });
    for (QLineEdit *edit : {m_server, m_username, m_password, m_displayName}) {
        connect(edit, &QLineEdit::returnPressed, this, [this] {
            if (!m_busy)
                Q_EMIT submitted();
        });
    }
    updateMode();
}

void SignInPage::updateMode()
{
    const bool creating = m_register->isChecked();
    m_title->setText(creating ? tr("Create your account") : tr("Sign in to Tidings"));
    m_displayName->setVisible(creating);
    m_displayNameLabel->setVisible(creating);
    setBusy(m_busy);
}

void SignInPage::setServer(const QString &server)
{
    m_server->setText(server);
}

void SignInPage::setUsername(const QString &username)
{
    m_username->setText(username);
}

QString SignInPage::server() const
{
    return m_server->text().trimmed();
}

QString SignInPage::username() const
{
    return m_username->text().trimmed();
}

QString SignInPage::password() const
{
    return m_password->text();
}

QString SignInPage::displayName() const
{
    return m_register->isChecked() ? m_displayName->text().trimmed() : QString();
}

bool SignInPage::isRegistering() const
{
    return m_register->isChecked();
}

void SignInPage::setBusy(bool busy)
{
    m_busy = busy;
    for (QWidget *field : std::initializer_list<QWidget *>{m_server, m_username, m_password,
                                                           m_displayName, m_register})
        field->setEnabled(!busy);
    const bool creating = m_register->isChecked();
    m_submit->setText(busy ? tr("Cancel") : (creating ? tr("Create &Account") : tr("Sign &In")));
    m_submit->setAccessibleName(busy ? tr("Cancel signing in")
                                     : (creating ? tr("Create account") : tr("Sign in")));
    if (busy)
        setStatus(creating ? tr("Creating your account…") : tr("Signing in…"), false);
}

void SignInPage::showError(const QString &message)
{
    setStatus(message, true);
}

void SignInPage::showMessage(const QString &message)
{
    setStatus(message, false);
}

void SignInPage::clearPassword()
{
    m_password->clear();
}

void SignInPage::focusFirstEmpty()
{
    for (QLineEdit *edit : {m_server, m_username, m_password}) {
        if (edit->text().isEmpty()) {
            edit->setFocus();
            return;
        }
    }
    m_submit->setFocus();
}

void SignInPage::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    QPalette palette = m_status->palette();
    palette.setColor(QPalette::WindowText,
                     error ? theme::danger() : this->palette().color(QPalette::WindowText));
    m_status->setPalette(palette);
    m_status->setProperty("isError", error);
}

} // namespace tidings::app
