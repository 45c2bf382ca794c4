#include "ui/safety_number_dialog.h"

#include "core/chat_client.h"
#include "ui/safety_qr.h"
#include "ui/theme.h"
#include "util/futures.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPixmap>
#include <QPushButton>
#include <QVBoxLayout>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

constexpr int kRows = 3;
constexpr int kColumns = 4;
constexpr int kMinimumWidth = 460;
/// A QR module's side in logical pixels: a version 5 code (the 65-byte payload) with its
/// quiet zone is 45 modules, so 135 pixels, beside the three rows of digits.
constexpr int kQrModulePixels = 3;

} // namespace

SafetyNumberDialog::SafetyNumberDialog(ChatClient &client, qint64 user, const QString &name,
                                       QWidget *parent)
    : QDialog(parent), m_client(client), m_user(user), m_name(name)
{
    setObjectName(u"safetyNumberDialog"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Safety Number"));
    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(12);

    auto *heading = new QLabel(tr("Your safety number with %1").arg(name), this);
    heading->setObjectName(u"safetyNumberHeading"_s);
    QFont headingFont = heading->font();
    headingFont.setWeight(QFont::DemiBold);
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.15);
    heading->setFont(headingFont);
    heading->setTextFormat(Qt::PlainText);
    heading->setWordWrap(true);
    layout->addWidget(heading);

    // Twelve groups of five in three rows, as both apps show them, so two people can read
    // them to each other group by group.
    m_digits = new QWidget(this);
    m_digits->setObjectName(u"safetyNumberDigits"_s);
    m_digits->setAccessibleName(tr("Safety number"));
    m_digits->setAutoFillBackground(true);
    m_digits->setBackgroundRole(QPalette::AlternateBase);
    auto *grid = new QGridLayout(m_digits);
    grid->setContentsMargins(20, 14, 20, 14);
    grid->setHorizontalSpacing(22);
    grid->setVerticalSpacing(8);
    QFont digitsFont = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    digitsFont.setPointSizeF(font().pointSizeF() * 1.45);
    for (int row = 0; row < kRows; ++row) {
        for (int column = 0; column < kColumns; ++column) {
            auto *group = new QLabel(m_digits);
            group->setObjectName(u"safetyNumberGroup"_s);
            group->setFont(digitsFont);
            group->setAlignment(Qt::AlignCenter);
            group->setTextInteractionFlags(Qt::TextSelectableByMouse);
            grid->addWidget(group, row, column);
            m_groups.append(group);
        }
    }

    // The same number as a QR code, beside the digits. Black on white whatever the theme
    // (the image carries its own white quiet zone), for a camera to read; this app does not
    // scan codes yet. Hidden while there is no number, or none to draw (a build without
    // libqrencode).
    m_qrCode = new QLabel(this);
    m_qrCode->setObjectName(u"safetyNumberQrCode"_s);
    m_qrCode->setAccessibleName(tr("Safety number QR code"));
    m_qrCode->setAccessibleDescription(tr("Your safety number with %1 as a QR code").arg(name));
    m_qrCode->setAlignment(Qt::AlignCenter);
    m_qrCode->hide();
    auto *codes = new QHBoxLayout;
    codes->setSpacing(16);
    codes->addStretch(1);
    codes->addWidget(m_qrCode, 0, Qt::AlignVCenter);
    codes->addWidget(m_digits, 0, Qt::AlignVCenter);
    codes->addStretch(1);
    layout->addLayout(codes);

    m_help = new QLabel(this);
    m_help->setObjectName(u"safetyNumberHelp"_s);
    m_help->setTextFormat(Qt::PlainText);
    m_help->setWordWrap(true);
    m_help->setText(
        tr("Compare these numbers with the ones %1 sees in Tidings, in person or on a call. "
           "If every group matches, your messages reach %1 and no one else: mark the number "
           "as verified.")
            .arg(name));
    layout->addWidget(m_help);

    m_changed = new QLabel(this);
    m_changed->setObjectName(u"safetyNumberChanged"_s);
    m_changed->setTextFormat(Qt::PlainText);
    m_changed->setWordWrap(true);
    m_changed->setAutoFillBackground(true);
    m_changed->setContentsMargins(10, 8, 10, 8);
    QPalette changedPalette = m_changed->palette();
    changedPalette.setColor(QPalette::Window, theme::banner());
    m_changed->setPalette(changedPalette);
    m_changed->hide();
    layout->addWidget(m_changed);
    m_accept = new QPushButton(tr("I understand"), this);
    m_accept->setObjectName(u"acceptKeyChangeButton"_s);
    m_accept->setAccessibleName(tr("Accept the new safety number"));
    m_accept->hide();
    layout->addWidget(m_accept, 0, Qt::AlignLeft);
    connect(m_accept, &QPushButton::clicked, this, &SafetyNumberDialog::acceptChange);

    m_verified = new QCheckBox(tr("&Mark as verified"), this);
    m_verified->setObjectName(u"markVerifiedCheck"_s);
    m_verified->setAccessibleName(tr("Mark the safety number as verified"));
    m_verified->setEnabled(false);
    layout->addWidget(m_verified);
    connect(m_verified, &QCheckBox::toggled, this, &SafetyNumberDialog::setVerified);

    m_state = new QLabel(tr("Loading…"), this);
    m_state->setObjectName(u"verificationState"_s);
    m_state->setTextFormat(Qt::PlainText);
    m_state->setWordWrap(true);
    layout->addWidget(m_state);

    layout->addStretch(1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setMinimumWidth(kMinimumWidth);
    reload();
}

void SafetyNumberDialog::reload()
{
    whenReady(m_client.trust(m_user), this, [this](const Result<local::e2e::Trust> &trust) {
        if (!trust) {
            m_state->setText(
                tr("The safety number could not be read: %1").arg(trust.error().message));
            return;
        }
        showTrust(*trust);
    });
}

void SafetyNumberDialog::showTrust(const local::e2e::Trust &trust)
{
    // While a change waits, the number of their new key shows: the one to compare before
    // accepting it.
    const QStringList groups = (trust.changed ? trust.changedSafetyNumber : trust.safetyNumber)
                                   .split(u' ', Qt::SkipEmptyParts);
    const bool known = groups.size() == m_groups.size();
    const bool shown = known && !trust.changed;
    for (int i = 0; i < m_groups.size(); ++i)
        m_groups.at(i)->setText(known ? groups.at(i) : QString());
    m_digits->setAccessibleDescription(known ? groups.join(u' ') : QString());
    m_digits->setVisible(known);
    // The payload is that of the trusted key: while a change waits, the digits are the new
    // key's, and no code shows.
    QImage qrCode;
    if (known && !trust.changed) {
        // Whole device pixels per module, drawn one to one, so the edges stay sharp.
        const qreal ratio = devicePixelRatioF();
        qrCode = safetyQrImage(trust.qrPayload, qMax(1, qRound(kQrModulePixels * ratio)));
        qrCode.setDevicePixelRatio(ratio);
    }
    m_qrCode->setPixmap(qrCode.isNull() ? QPixmap() : QPixmap::fromImage(qrCode));
    m_qrCode->setVisible(!qrCode.isNull());
    // The window's minimum width is set, so its layout no longer widens it: widen it here
    // for the code beside the digits (its height follows the layout by itself).
    setMinimumWidth(qMax(kMinimumWidth, layout()->totalMinimumSize().width()));
    m_help->setVisible(shown);
    m_changed->setVisible(trust.changed);
    m_accept->setVisible(trust.changed);
    if (trust.changed) {
        m_changed->setText(tr("%1's safety number has changed. This can mean they reinstalled "
                              "Tidings or that someone is trying to intercept your messages. "
                              "Compare the new number below with the one %1 sees, then choose "
                              "“I understand”; messages waiting for %1 are sent then.")
                               .arg(m_name));
    }
    {
        const QSignalBlocker blocker(m_verified);
        m_verified->setChecked(shown && trust.verified);
    }
    m_verified->setEnabled(shown);
    // Verified reads in green, as the lock with a tick in the header.
    QPalette statePalette = palette();
    if (shown && trust.verified)
        statePalette.setColor(QPalette::WindowText,
                              theme::online().darker(theme::isDark() ? 100 : 140));
    m_state->setPalette(statePalette);
    if (!known)
        m_state->setText(tr("There is no safety number with %1 yet. It shows once one of you has "
                            "sent the other an encrypted message.")
                             .arg(m_name));
    else if (trust.changed)
        m_state->setText(tr("Not verified."));
    else if (trust.verified)
        m_state->setText(tr("Verified: you compared this number with %1.").arg(m_name));
    else
        m_state->setText(tr("Not verified yet."));
}

void SafetyNumberDialog::setVerified(bool verified)
{
    m_verified->setEnabled(false);
    whenReady(m_client.setVerified(m_user, verified), this,
              [this, verified](const Result<void> &done) {
                  if (!done) {
                      const QSignalBlocker blocker(m_verified);
                      m_verified->setChecked(!verified);
                      m_verified->setEnabled(true);
                      m_state->setText(tr("Not saved: %1").arg(done.error().message));
                      return;
                  }
                  Q_EMIT trustChanged();
                  reload();
              });
}

void SafetyNumberDialog::acceptChange()
{
    m_accept->setEnabled(false);
    whenReady(m_client.acknowledgeKeyChange(m_user), this, [this](const Result<void> &done) {
        m_accept->setEnabled(true);
        if (!done) {
            m_state->setText(tr("Not saved: %1").arg(done.error().message));
            return;
        }
        Q_EMIT trustChanged();
        reload();
    });
}

} // namespace tidings::app
