#include "ui/link_device_dialog.h"

#include "models/e2e_status.h"
#include "ui/theme.h"
#include "util/futures.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

QLabel *textLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    return label;
}

QLabel *headingLabel(const QString &text, QWidget *parent)
{
    QLabel *label = textLabel(text, parent);
    QFont font = label->font();
    font.setWeight(QFont::DemiBold);
    font.setPointSizeF(font.pointSizeF() * 1.15);
    label->setFont(font);
    return label;
}

/// What went wrong with the password, in the words of the sign-in form.
QString describeOfferError(const Error &error)
{
    switch (error.code) {
    case ErrorCode::Unauthorized:
        return LinkDeviceDialog::tr("That is not your password. Try again.");
    case ErrorCode::RateLimited:
        return LinkDeviceDialog::tr("Too many attempts. Wait a minute, then try again.");
    case ErrorCode::Unavailable:
        return LinkDeviceDialog::tr("The connection to the server was lost. Try again.");
    default:
        return error.message;
    }
}

} // namespace

LinkDeviceDialog::LinkDeviceDialog(E2eStatus &e2e, QWidget *parent) : QDialog(parent), m_e2e(e2e)
{
    setObjectName(u"linkDeviceDialog"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Link a New Device"));
    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(12);
    m_pages = new QStackedWidget(this);
    m_passwordPage = makePasswordPage();
    m_codePage = makeCodePage();
    m_questionPage = makeQuestionPage();
    m_donePage = makeDonePage();
    for (QWidget *page : {m_passwordPage, m_codePage, m_questionPage, m_donePage})
        m_pages->addWidget(page);
    layout->addWidget(m_pages, 1);

    auto *buttons = new QDialogButtonBox(this);
    m_continue = buttons->addButton(tr("&Continue"), QDialogButtonBox::AcceptRole);
    m_continue->setObjectName(u"linkContinueButton"_s);
    m_link = buttons->addButton(tr("&Link"), QDialogButtonBox::AcceptRole);
    m_link->setObjectName(u"linkApproveButton"_s);
    m_cancel = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName(u"linkCancelButton"_s);
    m_close = buttons->addButton(QDialogButtonBox::Close);
    m_close->setObjectName(u"linkCloseButton"_s);
    layout->addWidget(buttons);
    // Each button says what it does here; the box's accepted/rejected are not used.
    connect(m_continue, &QPushButton::clicked, this, &LinkDeviceDialog::submitPassword);
    connect(m_link, &QPushButton::clicked, this, [this] {
        setStep(Step::Linking);
        m_e2e.answerLinkRequest(true);
    });
    connect(m_cancel, &QPushButton::clicked, this, &LinkDeviceDialog::reject);
    connect(m_close, &QPushButton::clicked, this, &LinkDeviceDialog::reject);
    connect(m_password, &QLineEdit::textChanged, this,
            [this] { m_continue->setEnabled(!m_password->text().isEmpty()); });
    connect(&m_e2e, &E2eStatus::linkRequested, this, &LinkDeviceDialog::onLinkRequested);
    connect(&m_e2e, &E2eStatus::linkFinished, this, &LinkDeviceDialog::onLinkFinished);

    setMinimumWidth(500);
    setStep(Step::Password);
}

QWidget *LinkDeviceDialog::makePasswordPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(headingLabel(tr("Link a new device to your account"), page));
    layout->addWidget(textLabel(tr("Enter your password to get a link code for your new "
                                   "device. Your password is needed so that a session left "
                                   "open cannot hand your keys away."),
                                page));
    auto *form = new QFormLayout;
    m_password = new QLineEdit(page);
    m_password->setObjectName(u"linkPasswordEdit"_s);
    m_password->setAccessibleName(tr("Password"));
    m_password->setEchoMode(QLineEdit::Password);
    form->addRow(tr("&Password:"), m_password);
    layout->addLayout(form);
    m_passwordState = textLabel(QString(), page);
    m_passwordState->setObjectName(u"linkPasswordState"_s);
    layout->addWidget(m_passwordState);
    layout->addStretch(1);
    return page;
}

QWidget *LinkDeviceDialog::makeCodePage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(12);
    auto *instructions = headingLabel(
        tr("On your new device, sign in and type this code. It works for 10 minutes."), page);
    instructions->setObjectName(u"linkCodeInstructions"_s);
    layout->addWidget(instructions);
    m_code = new QLabel(page);
    m_code->setObjectName(u"linkCodeLabel"_s);
    m_code->setAccessibleName(tr("Link code"));
    m_code->setTextFormat(Qt::PlainText);
    m_code->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_code->setAlignment(Qt::AlignCenter);
    m_code->setAutoFillBackground(true);
    m_code->setBackgroundRole(QPalette::AlternateBase);
    m_code->setContentsMargins(20, 16, 20, 16);
    QFont codeFont = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    codeFont.setPointSizeF(font().pointSizeF() * 1.7);
    codeFont.setWeight(QFont::DemiBold);
    m_code->setFont(codeFont);
    layout->addWidget(m_code);
    auto *waiting = textLabel(tr("Waiting for your new device… Keep this window open until it "
                                 "is linked. Never give this code to anyone."),
                              page);
    waiting->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(waiting);
    layout->addStretch(1);
    return page;
}

QWidget *LinkDeviceDialog::makeQuestionPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    m_question = headingLabel(QString(), page);
    m_question->setObjectName(u"linkQuestion"_s);
    layout->addWidget(m_question);
    layout->addWidget(textLabel(tr("It will read your encrypted messages, old and new, and send "
                                   "messages as you. Link it only if it is the device you just "
                                   "typed the code on."),
                                page));
    m_questionState = textLabel(QString(), page);
    m_questionState->setObjectName(u"linkQuestionState"_s);
    layout->addWidget(m_questionState);
    layout->addStretch(1);
    return page;
}

QWidget *LinkDeviceDialog::makeDonePage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    m_result = headingLabel(QString(), page);
    m_result->setObjectName(u"linkResult"_s);
    layout->addWidget(m_result);
    layout->addStretch(1);
    return page;
}

void LinkDeviceDialog::setStep(Step step)
{
    m_step = step;
    switch (step) {
    case Step::Password:
    case Step::Checking:
        m_pages->setCurrentWidget(m_passwordPage);
        break;
    case Step::Code:
        m_pages->setCurrentWidget(m_codePage);
        break;
    case Step::Question:
    case Step::Linking:
        m_pages->setCurrentWidget(m_questionPage);
        break;
    case Step::Done:
        m_pages->setCurrentWidget(m_donePage);
        break;
    }
    const bool checking = step == Step::Checking;
    m_password->setEnabled(!checking);
    m_continue->setVisible(step == Step::Password || checking);
    m_continue->setEnabled(step == Step::Password && !m_password->text().isEmpty());
    m_link->setVisible(step == Step::Question || step == Step::Linking);
    m_link->setEnabled(step == Step::Question);
    m_cancel->setVisible(step != Step::Done);
    // The keys are on their way: stopping now would leave the new device half linked.
    m_cancel->setEnabled(step != Step::Linking);
    m_close->setVisible(step == Step::Done);
    m_questionState->setText(step == Step::Linking ? tr("Linking…") : QString());
    if (step == Step::Password)
        m_password->setFocus();
    else if (step == Step::Question)
        m_link->setFocus();
    else if (step == Step::Done)
        m_close->setFocus();
    // Enter in the password field continues, and on the question links.
    m_continue->setDefault(step == Step::Password || checking);
    m_link->setDefault(step == Step::Question);
}

void LinkDeviceDialog::submitPassword()
{
    if (m_step != Step::Password || m_password->text().isEmpty())
        return;
    setStep(Step::Checking);
    showPasswordState(tr("Checking your password…"), false);
    whenReady(m_e2e.offerLink(m_password->text()), this, [this](const Result<QString> &code) {
        if (m_step != Step::Checking)
            return;
        if (!code) {
            showPasswordState(describeOfferError(code.error()), true);
            setStep(Step::Password);
            m_password->selectAll();
            return;
        }
        m_password->clear();
        showPasswordState(QString(), false);
        m_code->setText(*code);
        setStep(Step::Code);
    });
}

void LinkDeviceDialog::showPasswordState(const QString &text, bool error)
{
    QPalette colours = palette();
    if (error)
        colours.setColor(QPalette::WindowText, theme::danger());
    m_passwordState->setPalette(colours);
    m_passwordState->setText(text);
}

void LinkDeviceDialog::onLinkRequested(const QString &name)
{
    if (m_step != Step::Code)
        return;
    m_question->setText(tr("Link %1?").arg(name));
    setStep(Step::Question);
}

void LinkDeviceDialog::onLinkFinished(bool linked, const QString &message)
{
    if (m_step != Step::Code && m_step != Step::Question && m_step != Step::Linking)
        return;
    m_result->setText(linked ? message : tr("Not linked. %1").arg(message));
    setStep(Step::Done);
}

void LinkDeviceDialog::reject()
{
    switch (m_step) {
    case Step::Linking:
        return;
    case Step::Code:
    case Step::Question:
        // The offer ends here: what was shown no longer links anything.
        m_step = Step::Done;
        m_e2e.cancelLink();
        break;
    case Step::Password:
    case Step::Checking:
    case Step::Done:
        break;
    }
    QDialog::reject();
}

} // namespace tidings::app
