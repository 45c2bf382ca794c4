#include "ui/devices_section.h"

#include "ui/conversation_view.h"
#include "ui/link_device_dialog.h"
#include "ui/theme.h"
#include "util/futures.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

constexpr int kNewDeviceTries = 30;
constexpr int kNewDeviceRetryMs = 1000;

/// "Added 3/5/25 · last seen today at 14:05" under a device's name.
QString detailsOf(const E2eStatus::Device &device)
{
    QStringList parts;
    if (device.current)
        parts.append(DevicesSection::tr("This device"));
    const QString added
        = QLocale().toString(device.added.toLocalTime().date(), QLocale::ShortFormat);
    parts.append(device.current ? DevicesSection::tr("added %1").arg(added)
                                : DevicesSection::tr("Added %1").arg(added));
    if (!device.current && device.lastSeen.isValid())
        parts.append(ConversationView::lastSeenText(device.lastSeen, QDateTime::currentDateTime()));
    return parts.join(u" · "_s);
}

} // namespace

DevicesSection::DevicesSection(E2eStatus &e2e, QWidget *parent) : QWidget(parent), m_e2e(e2e)
{
    setObjectName(u"devicesSection"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_list = new QFrame(this);
    m_list->setObjectName(u"deviceList"_s);
    m_list->setAccessibleName(tr("Your devices"));
    m_list->setFrameShape(QFrame::StyledPanel);
    m_list->setAutoFillBackground(true);
    m_list->setBackgroundRole(QPalette::Base);
    m_rows = new QVBoxLayout(m_list);
    m_rows->setContentsMargins(10, 6, 10, 6);
    m_rows->setSpacing(6);
    layout->addWidget(m_list);

    m_status = new QLabel(this);
    m_status->setObjectName(u"devicesStatus"_s);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    m_status->hide();
    layout->addWidget(m_status);

    auto *linkRow = new QHBoxLayout;
    m_link = new QPushButton(tr("Link a new &device…"), this);
    m_link->setObjectName(u"linkDeviceButton"_s);
    m_link->setToolTip(tr("Use your account, with its encrypted messages, on another phone or "
                          "computer"));
    linkRow->addWidget(m_link);
    linkRow->addStretch(1);
    layout->addLayout(linkRow);
    m_hint = new QLabel(this);
    m_hint->setObjectName(u"devicesHint"_s);
    m_hint->setTextFormat(Qt::PlainText);
    m_hint->setWordWrap(true);
    m_hint->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_hint);

    connect(m_link, &QPushButton::clicked, this, &DevicesSection::showLinkDialog);
    connect(&m_e2e, &E2eStatus::changed, this, [this] {
        updateState();
        refresh();
    });
    connect(&m_e2e, &E2eStatus::linkFinished, this, [this](bool linked) {
        if (linked)
            awaitNewDevice();
    });
    updateState();
    refresh();
}

void DevicesSection::updateState()
{
    const E2eStatus::State state = m_e2e.state();
    m_link->setEnabled(state == E2eStatus::State::Ready);
    QString hint;
    switch (state) {
    case E2eStatus::State::Off:
        hint = tr("To link devices, this device must encrypt: turn on encryption above.");
        break;
    case E2eStatus::State::NeedsLink:
        hint = tr("Link this device first: type the code from one of your other devices at the "
                  "top of the chat window.");
        break;
    case E2eStatus::State::SettingUp:
    case E2eStatus::State::Ready:
    case E2eStatus::State::Failed:
        break;
    }
    m_hint->setText(hint);
    m_hint->setVisible(!hint.isEmpty());
    for (QPushButton *remove : m_list->findChildren<QPushButton *>(u"removeDeviceButton"_s))
        remove->setEnabled(state == E2eStatus::State::Ready);
}

void DevicesSection::refresh()
{
    const quint64 refresh = ++m_refreshes;
    whenReady(
        m_e2e.devices(), this, [this, refresh](const Result<QList<E2eStatus::Device>> &devices) {
            if (refresh != m_refreshes)
                return;
            if (!devices) {
                setStatus(tr("Could not load your devices: %1").arg(devices.error().message), true);
                return;
            }
            showDevices(*devices);
            if (m_triesLeft <= 0)
                return;
            const bool arrived = std::any_of(m_shown.begin(), m_shown.end(),
                                             [this](quint32 id) { return !m_before.contains(id); });
            if (arrived || --m_triesLeft <= 0) {
                m_triesLeft = 0;
                return;
            }
            QTimer::singleShot(kNewDeviceRetryMs, this, &DevicesSection::refresh);
        });
}

void DevicesSection::awaitNewDevice()
{
    // The relay lists a device once it has registered, which the new device does right
    // after it is linked; the relay's "devices" event does not reach the widgets, so this
    // asks again a few times until it is there.
    m_before = m_shown;
    m_triesLeft = kNewDeviceTries;
    refresh();
}

void DevicesSection::showDevices(const QList<E2eStatus::Device> &devices)
{
    m_shown.clear();
    for (const E2eStatus::Device &device : devices)
        m_shown.append(device.id);
    while (QLayoutItem *item = m_rows->takeAt(0)) {
        if (QWidget *row = item->widget())
            row->deleteLater();
        delete item;
    }
    if (devices.isEmpty()) {
        auto *none = new QLabel(tr("No device of yours encrypts messages yet."), m_list);
        none->setObjectName(u"noDevicesLabel"_s);
        none->setForegroundRole(QPalette::PlaceholderText);
        m_rows->addWidget(none);
    }
    const bool ready = m_e2e.state() == E2eStatus::State::Ready;
    for (qsizetype index = 0; index < devices.size(); ++index) {
        const E2eStatus::Device &device = devices.at(index);
        if (index > 0) {
            auto *line = new QFrame(m_list);
            line->setFrameShape(QFrame::HLine);
            line->setFrameShadow(QFrame::Plain);
            line->setForegroundRole(QPalette::Midlight);
            m_rows->addWidget(line);
        }
        auto *row = new QWidget(m_list);
        row->setObjectName(u"deviceRow"_s);
        row->setProperty("deviceId", device.id);
        auto *rowLayout = new QHBoxLayout(row);
        rowLayout->setContentsMargins(0, 0, 0, 0);
        auto *text = new QVBoxLayout;
        text->setSpacing(2);
        const QString name = device.name.isEmpty() ? tr("Unnamed device") : device.name;
        auto *nameLabel = new QLabel(name, row);
        nameLabel->setObjectName(u"deviceName"_s);
        nameLabel->setTextFormat(Qt::PlainText);
        QFont bold = nameLabel->font();
        bold.setWeight(QFont::DemiBold);
        nameLabel->setFont(bold);
        text->addWidget(nameLabel);
        auto *details = new QLabel(detailsOf(device), row);
        details->setObjectName(u"deviceDetails"_s);
        details->setTextFormat(Qt::PlainText);
        details->setForegroundRole(QPalette::PlaceholderText);
        text->addWidget(details);
        rowLayout->addLayout(text, 1);
        if (!device.current) {
            auto *remove = new QPushButton(tr("Remove this device"), row);
            remove->setObjectName(u"removeDeviceButton"_s);
            remove->setAccessibleName(tr("Remove %1").arg(name));
            remove->setEnabled(ready);
            rowLayout->addWidget(remove, 0, Qt::AlignVCenter);
            connect(remove, &QPushButton::clicked, this,
                    [this, id = device.id, name] { askToRemove(id, name); });
        }
        m_rows->addWidget(row);
    }
}

void DevicesSection::askToRemove(quint32 id, const QString &name)
{
    auto *question = new QMessageBox(
        QMessageBox::Question, tr("Remove Device"),
        tr("Remove %1? It will be signed out and will not read new messages.").arg(name),
        QMessageBox::Cancel, this);
    question->setObjectName(u"removeDeviceQuestion"_s);
    question->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *remove = question->addButton(tr("&Remove"), QMessageBox::DestructiveRole);
    remove->setObjectName(u"confirmRemoveDeviceButton"_s);
    question->setDefaultButton(QMessageBox::Cancel);
    connect(remove, &QPushButton::clicked, this, [this, id, name] {
        setStatus(tr("Removing %1…").arg(name), false);
        whenReady(m_e2e.removeDevice(id), this, [this, name](const Result<void> &removed) {
            if (removed)
                setStatus(tr("%1 was removed.").arg(name), false);
            else
                setStatus(tr("%1 was not removed: %2").arg(name, removed.error().message), true);
            refresh();
        });
    });
    question->open();
}

void DevicesSection::showLinkDialog()
{
    setStatus(QString(), false);
    auto *dialog = new LinkDeviceDialog(m_e2e, this);
    dialog->open();
}

void DevicesSection::setStatus(const QString &text, bool error)
{
    QPalette colours = palette();
    if (error)
        colours.setColor(QPalette::WindowText, theme::danger());
    m_status->setPalette(colours);
    m_status->setText(text);
    m_status->setVisible(!text.isEmpty());
}

} // namespace tidings::app
