#include "ui/settings_dialog.h"

#include "core/chat_client.h"
#include "models/e2e_status.h"
#include "protocol/messages/account_requests.h"
#include "ui/devices_section.h"
#include "ui/media_files.h"
#include "ui/settings_keys.h"
#include "util/futures.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace tidings::app {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

SettingsDialog::SettingsDialog(ChatClient &client, QSettings &settings, QWidget *parent)
    : QDialog(parent), m_client(client), m_settings(settings)
{
    setObjectName(u"settingsDialog"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Settings"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    layout->addLayout(form);
    addAppearance(form);
    addNotifications(form);
    addPrivacy(form);
    addDevices(form);
    addStorage(form);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *signOut = buttons->addButton(tr("Sign &Out"), QDialogButtonBox::DestructiveRole);
    signOut->setObjectName(u"signOutButton"_s);
    signOut->setAccessibleName(tr("Sign out"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(signOut, &QPushButton::clicked, this, [this] {
        Q_EMIT signOutRequested();
        accept();
    });
}

void SettingsDialog::addAppearance(QFormLayout *form)
{
    auto *themeBox = new QComboBox(this);
    themeBox->setObjectName(u"themeCombo"_s);
    themeBox->setAccessibleName(tr("Theme"));
    themeBox->addItem(tr("Same as the system"), u"system"_s);
    themeBox->addItem(tr("Light"), u"light"_s);
    themeBox->addItem(tr("Dark"), u"dark"_s);
    themeBox->setCurrentIndex(
        std::max(0, themeBox->findData(m_settings.value(settings::kTheme, u"system"_s))));
    form->addRow(tr("&Theme:"), themeBox);
    connect(themeBox, &QComboBox::currentIndexChanged, this, [this, themeBox] {
        m_settings.setValue(settings::kTheme, themeBox->currentData());
        Q_EMIT appearanceChanged();
    });

    auto *fontSize = new QSpinBox(this);
    fontSize->setObjectName(u"fontSizeSpin"_s);
    fontSize->setAccessibleName(tr("Text size"));
    fontSize->setRange(0, 24);
    fontSize->setSpecialValueText(tr("System"));
    fontSize->setSuffix(tr(" pt"));
    fontSize->setValue(m_settings.value(settings::kFontSize, 0).toInt());
    form->addRow(tr("Text &size:"), fontSize);
    connect(fontSize, &QSpinBox::valueChanged, this, [this](int value) {
        m_settings.setValue(settings::kFontSize, value);
        Q_EMIT appearanceChanged();
    });

    auto *language = new QComboBox(this);
    language->setObjectName(u"languageCombo"_s);
    language->setAccessibleName(tr("Language"));
    language->addItem(tr("Same as the system"), QString());
    language->addItem(u"English"_s, u"en"_s);
    language->addItem(u"Deutsch"_s, u"de"_s);
    language->addItem(u"Español"_s, u"es"_s);
    language->setCurrentIndex(
        std::max(0, language->findData(m_settings.value(settings::kLanguage).toString())));
    form->addRow(tr("&Language:"), language);
    auto *languageNote = new QLabel(tr("A new language shows after Tidings restarts."), this);
    languageNote->setForegroundRole(QPalette::PlaceholderText);
    languageNote->setVisible(false);
    form->addRow(QString(), languageNote);
    connect(language, &QComboBox::currentIndexChanged, this, [this, language, languageNote] {
        m_settings.setValue(settings::kLanguage, language->currentData());
        languageNote->setVisible(true);
    });
}

void SettingsDialog::addNotifications(QFormLayout *form)
{
    auto *notify = new QCheckBox(tr("Show a &notification for new messages"), this);
    notify->setObjectName(u"notificationsCheck"_s);
    notify->setAccessibleName(tr("Notifications"));
    notify->setChecked(m_settings.value(settings::kNotify, true).toBool());
    form->addRow(tr("Notifications:"), notify);
    auto *sound = new QCheckBox(tr("Play a s&ound"), this);
    sound->setObjectName(u"soundCheck"_s);
    sound->setAccessibleName(tr("Notification sound"));
    sound->setChecked(m_settings.value(settings::kSound, true).toBool());
    form->addRow(QString(), sound);
    connect(notify, &QCheckBox::toggled, this, [this, sound](bool on) {
        m_settings.setValue(settings::kNotify, on);
        sound->setEnabled(on);
        Q_EMIT notificationsChanged();
    });
    connect(sound, &QCheckBox::toggled, this, [this](bool on) {
        m_settings.setValue(settings::kSound, on);
        Q_EMIT notificationsChanged();
    });
}

void SettingsDialog::addPrivacy(QFormLayout *form)
{
    auto *hideLastSeen = new QCheckBox(tr("&Hide when I was last online"), this);
    hideLastSeen->setObjectName(u"hideLastSeenCheck"_s);
    hideLastSeen->setAccessibleName(tr("Hide my last seen time"));
    hideLastSeen->setChecked(m_client.ownUser().hideLastSeen.value_or(false));
    form->addRow(tr("Privacy:"), hideLastSeen);
    auto *readReceipts = new QCheckBox(tr("Let others see when I have &read their messages"), this);
    readReceipts->setObjectName(u"readReceiptsCheck"_s);
    readReceipts->setAccessibleName(tr("Send read receipts"));
    readReceipts->setChecked(m_settings.value(settings::kShareReadReceipts, true).toBool());
    form->addRow(QString(), readReceipts);
    connect(readReceipts, &QCheckBox::toggled, this, [this](bool on) {
        m_settings.setValue(settings::kShareReadReceipts, on);
        m_client.outbox().setShareReadReceipts(on);
    });
    auto *groupAdds = new QComboBox(this);
    groupAdds->setObjectName(u"groupAddsBox"_s);
    groupAdds->setAccessibleName(tr("Who can add me to groups"));
    groupAdds->addItem(tr("Anyone can add me"), u"everyone"_s);
    groupAdds->addItem(tr("Only people I have written to can add me"), u"contacts"_s);
    groupAdds->setCurrentIndex(std::max(0, groupAdds->findData(m_client.ownUser().groupAdds)));
    form->addRow(tr("&Groups:"), groupAdds);
    addEncryption(form);
    auto *privacyStatus = new QLabel(this);
    privacyStatus->setObjectName(u"privacyStatus"_s);
    form->addRow(QString(), privacyStatus);

    connect(groupAdds, &QComboBox::activated, this, [this, groupAdds, privacyStatus] {
        privacyStatus->setText(tr("Saving…"));
        const QString chosen = groupAdds->currentData().toString();
        const messages::UpdateProfile update{std::nullopt, std::nullopt, chosen};
        whenReady(m_client.updateProfile(update), this,
                  [this, groupAdds, privacyStatus](const Result<messages::User> &reply) {
                      if (reply) {
                          privacyStatus->setText(tr("Saved."));
                          return;
                      }
                      privacyStatus->setText(tr("Not saved: %1").arg(reply.error().message));
                      const QSignalBlocker blocker(groupAdds);
                      groupAdds->setCurrentIndex(
                          std::max(0, groupAdds->findData(m_client.ownUser().groupAdds)));
                  });
    });
    connect(hideLastSeen, &QCheckBox::toggled, this, [this, hideLastSeen, privacyStatus](bool on) {
        privacyStatus->setText(tr("Saving…"));
        const messages::UpdateProfile update{std::nullopt, on, std::nullopt};
        whenReady(m_client.updateProfile(update), this,
                  [this, hideLastSeen, privacyStatus, on](const Result<messages::User> &reply) {
                      if (reply) {
                          privacyStatus->setText(tr("Saved."));
                          return;
                      }
                      privacyStatus->setText(tr("Not saved: %1").arg(reply.error().message));
                      const QSignalBlocker blocker(hideLastSeen);
                      hideLastSeen->setChecked(!on);
                  });
    });
}

void SettingsDialog::addEncryption(QFormLayout *form)
{
    auto *encrypt = new QCheckBox(tr("&Encrypt my messages end to end"), this);
    encrypt->setObjectName(u"endToEndCheck"_s);
    encrypt->setAccessibleName(tr("End-to-end encryption"));
    encrypt->setToolTip(tr("Only the people in a chat can read its messages and files: not "
                           "the server, nor its admins."));
    encrypt->setChecked(m_settings.value(settings::kEndToEnd, false).toBool());
    form->addRow(tr("Encryption:"), encrypt);
    auto *state = new QLabel(this);
    state->setObjectName(u"encryptionState"_s);
    state->setWordWrap(true);
    state->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(QString(), state);

    m_e2e = new E2eStatus(m_client, this);
    const auto describe = [this, encrypt, state] {
        QString text;
        switch (m_e2e->state()) {
        case E2eStatus::State::Off:
            text = tr("Messages from this device are not end-to-end encrypted.");
            break;
        case E2eStatus::State::SettingUp:
            text = tr("Setting this device up for encryption…");
            break;
        case E2eStatus::State::Ready:
            text = tr("This device is set up for encryption.");
            break;
        case E2eStatus::State::NeedsLink:
            text = tr("Your account already encrypts on another device. Link this device with "
                      "the code from that one: see the top of the chat window.");
            break;
        case E2eStatus::State::Failed:
            text = tr("Encryption is not working: %1").arg(m_e2e->problem());
            break;
        }
        if (m_e2e->isRequired()) {
            // Not the user's choice here: the server takes nothing else.
            const QSignalBlocker blocker(encrypt);
            encrypt->setChecked(true);
            encrypt->setEnabled(false);
            text += u' ' + tr("This server requires end-to-end encryption.");
        } else if (encrypt->isChecked() != m_e2e->isEnabled()) {
            // The client was told at sign-in: a new choice applies from the next start.
            text += u' ' + tr("Your choice applies the next time Tidings starts.");
        }
        state->setText(text);
    };
    describe();
    connect(m_e2e, &E2eStatus::changed, this, describe);
    connect(encrypt, &QCheckBox::toggled, this, [this, describe](bool on) {
        m_settings.setValue(settings::kEndToEnd, on);
        describe();
    });
}

void SettingsDialog::addDevices(QFormLayout *form)
{
    auto *devices = new DevicesSection(*m_e2e, this);
    form->addRow(tr("Devices:"), devices);
}

void SettingsDialog::addStorage(QFormLayout *form)
{
    // What downloaded files take, a limit, and a way to clear them.
    auto *storage = new QHBoxLayout;
    auto *cacheSize = new QLabel(tr("Counting…"), this);
    cacheSize->setObjectName(u"cacheSizeLabel"_s);
    storage->addWidget(cacheSize, 1);
    auto *clearCache = new QPushButton(tr("&Clear"), this);
    clearCache->setObjectName(u"clearCacheButton"_s);
    clearCache->setAccessibleName(tr("Clear downloaded files"));
    clearCache->setToolTip(tr("Remove downloaded files (they download again when needed)"));
    storage->addWidget(clearCache);
    form->addRow(tr("Downloads:"), storage);
    auto *cacheLimit = new QSpinBox(this);
    cacheLimit->setObjectName(u"cacheLimitSpin"_s);
    cacheLimit->setAccessibleName(tr("Space for downloaded files"));
    cacheLimit->setRange(64, 1024 * 1024);
    cacheLimit->setSingleStep(256);
    cacheLimit->setSuffix(tr(" MB"));
    cacheLimit->setValue(
        m_settings.value(settings::kCacheLimitMiB, settings::kDefaultCacheLimitMiB).toInt());
    form->addRow(tr("Keep at &most:"), cacheLimit);
    const auto showSize = [this, cacheSize](QFuture<qint64> size) {
        whenReady(std::move(size), this, [cacheSize](qint64 bytes) {
            cacheSize->setText(tr("%1 of downloaded files").arg(media::sizeText(bytes)));
        });
    };
    showSize(m_client.transfers().cacheSize());
    connect(clearCache, &QPushButton::clicked, this,
            [this, showSize] { showSize(m_client.transfers().trimCache(0)); });
    connect(cacheLimit, &QSpinBox::valueChanged, this, [this, showSize](int mib) {
        m_settings.setValue(settings::kCacheLimitMiB, mib);
        m_client.transfers().setCacheLimit(qint64(mib) * 1024 * 1024);
        showSize(m_client.transfers().trimCache(qint64(mib) * 1024 * 1024));
    });
}

} // namespace tidings::app
