#include "ui/link_prompt.h"

#include "models/e2e_status.h"
#include "ui/theme.h"
#include "util/futures.h"

#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace tidings::app {

using namespace Qt::StringLiterals;

LinkPrompt::LinkPrompt(ChatClient &client, QWidget *parent) : QWidget(parent)
{
    setObjectName(u"linkPrompt"_s);
    setAccessibleName(tr("Link this device"));
    setAutoFillBackground(true);
    m_e2e = new E2eStatus(client, this);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 10, 14, 10);
    layout->setSpacing(6);
    auto *title = new QLabel(tr("Link this device"), this);
    QFont bold = title->font();
    bold.setWeight(QFont::DemiBold);
    title->setFont(bold);
    layout->addWidget(title);
    auto *text = new QLabel(
        tr("This account is used on another device. To read and send encrypted messages here, "
           "link this device: on the other device open Settings → Devices → Link a new device, "
           "then type the code shown there."),
        this);
    text->setObjectName(u"linkPromptText"_s);
    text->setTextFormat(Qt::PlainText);
    text->setWordWrap(true);
    layout->addWidget(text);

    auto *row = new QHBoxLayout;
    m_code = new QLineEdit(this);
    m_code->setObjectName(u"linkCodeEdit"_s);
    m_code->setAccessibleName(tr("Link code"));
    m_code->setPlaceholderText(u"XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"_s);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(font().pointSizeF() * 1.1);
    m_code->setFont(mono);
    m_code->setMinimumWidth(
        m_code->fontMetrics().horizontalAdvance(u"XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"_s) + 40);
    row->addWidget(m_code);
    m_link = new QPushButton(tr("&Link"), this);
    m_link->setObjectName(u"linkButton"_s);
    m_link->setAccessibleName(tr("Link this device"));
    m_link->setEnabled(false);
    row->addWidget(m_link);
    m_status = new QLabel(this);
    m_status->setObjectName(u"linkPromptStatus"_s);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    row->addWidget(m_status, 1);
    layout->addLayout(row);

    connect(m_code, &QLineEdit::textChanged, this,
            [this] { m_link->setEnabled(!m_linking && !m_code->text().trimmed().isEmpty()); });
    connect(m_code, &QLineEdit::returnPressed, this, &LinkPrompt::link);
    connect(m_link, &QPushButton::clicked, this, &LinkPrompt::link);
    connect(m_e2e, &E2eStatus::changed, this, &LinkPrompt::updateVisibility);
    applyColours();
    updateVisibility();
}

void LinkPrompt::updateVisibility()
{
    setVisible(m_e2e->state() == E2eStatus::State::NeedsLink);
}

void LinkPrompt::link()
{
    const QString code = m_code->text().trimmed();
    if (m_linking || code.isEmpty())
        return;
    m_linking = true;
    m_link->setEnabled(false);
    m_code->setReadOnly(true);
    setStatus(tr("Linking… Confirm on your other device."), false);
    whenReady(m_e2e->linkWithCode(code), this, [this](const Result<void> &linked) {
        m_linking = false;
        m_code->setReadOnly(false);
        if (linked) {
            setStatus(QString(), false);
            m_code->clear();
            updateVisibility();
            return;
        }
        setStatus(tr("Not linked: %1").arg(linked.error().message), true);
        m_link->setEnabled(!m_code->text().trimmed().isEmpty());
        m_code->setFocus();
        m_code->selectAll();
    });
}

void LinkPrompt::setStatus(const QString &text, bool error)
{
    QPalette colours = palette();
    if (error)
        colours.setColor(QPalette::WindowText, theme::danger());
    m_status->setPalette(colours);
    m_status->setText(text);
}

void LinkPrompt::applyColours()
{
    QPalette colours = palette();
    colours.setColor(QPalette::Window, theme::banner());
    setPalette(colours);
}

void LinkPrompt::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::ApplicationPaletteChange)
        applyColours();
}

} // namespace tidings::app
