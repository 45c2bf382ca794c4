#include "ui/main_window.h"

#include "core/relay_probe.h"
#include "core/server_address.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

const QString kServerAddressKey = u"connection/serverAddress"_s;

} // namespace

MainWindow::MainWindow(RelayProbe &probe, QSettings &settings, QWidget *parent)
    : QMainWindow(parent), m_probe(probe), m_settings(settings)
{
    setObjectName(u"mainWindow"_s);
    setWindowTitle(tr("Tidings"));

    auto *central = new QWidget(this);
    auto *outer = new QVBoxLayout(central);
    outer->addStretch(1);

    auto *card = new QWidget(central);
    card->setObjectName(u"serverCard"_s);
    card->setFixedWidth(420);
    auto *cardLayout = new QVBoxLayout(card);
    cardLayout->setSpacing(12);

    auto *title = new QLabel(tr("Welcome to Tidings"), card);
    title->setObjectName(u"titleLabel"_s);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setWeight(QFont::DemiBold);
    title->setFont(titleFont);
    title->setAlignment(Qt::AlignHCenter);
    cardLayout->addWidget(title);

    auto *subtitle = new QLabel(tr("Choose the server you chat on."), card);
    subtitle->setObjectName(u"subtitleLabel"_s);
    subtitle->setAlignment(Qt::AlignHCenter);
    subtitle->setForegroundRole(QPalette::PlaceholderText);
    cardLayout->addWidget(subtitle);
    cardLayout->addSpacing(8);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_serverAddress = new QLineEdit(card);
    m_serverAddress->setObjectName(u"serverAddressEdit"_s);
    m_serverAddress->setAccessibleName(tr("Server address"));
    m_serverAddress->setPlaceholderText(tr("chat.example.org or localhost:8420"));
    m_serverAddress->setClearButtonEnabled(true);
    m_serverAddress->setText(m_settings.value(kServerAddressKey).toString());
    form->addRow(tr("&Server:"), m_serverAddress);
    cardLayout->addLayout(form);

    m_connectButton = new QPushButton(tr("&Connect"), card);
    m_connectButton->setObjectName(u"connectButton"_s);
    m_connectButton->setAccessibleName(tr("Connect"));
    m_connectButton->setDefault(true);
    cardLayout->addWidget(m_connectButton);

    m_status = new QLabel(card);
    m_status->setObjectName(u"statusLabel"_s);
    m_status->setAccessibleName(tr("Connection status"));
    m_status->setWordWrap(true);
    m_status->setAlignment(Qt::AlignHCenter);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    cardLayout->addWidget(m_status);

    outer->addWidget(card, 0, Qt::AlignHCenter);
    outer->addStretch(2);
    setCentralWidget(central);
    resize(880, 600);

    connect(m_connectButton, &QPushButton::clicked, this, &MainWindow::onConnectClicked);
    connect(m_serverAddress, &QLineEdit::returnPressed, this, &MainWindow::onConnectClicked);
    connect(&m_probe, &RelayProbe::reachable, this, [this](const QString &version) {
        m_connectButton->setEnabled(true);
        showStatus(tr("Connected: Tidings relay %1.").arg(version), false);
    });
    connect(&m_probe, &RelayProbe::unreachable, this, [this](const QString &message) {
        m_connectButton->setEnabled(true);
        showStatus(message, true);
    });
}

MainWindow::~MainWindow() = default;

void MainWindow::connectTo(const QString &address)
{
    m_serverAddress->setText(address);
    onConnectClicked();
}

void MainWindow::onConnectClicked()
{
    const auto address = ServerAddress::parse(m_serverAddress->text());
    if (!address) {
        showStatus(address.error().message, true);
        return;
    }
    m_serverAddress->setText(address->toString());
    m_settings.setValue(kServerAddressKey, address->toString());
    m_connectButton->setEnabled(false);
    showStatus(tr("Connecting to %1…").arg(address->toString()), false);
    m_probe.probe(*address);
}

void MainWindow::showStatus(const QString &text, bool isError)
{
    m_status->setText(text);
    QPalette palette = m_status->palette();
    palette.setColor(QPalette::WindowText,
                     isError ? QColor(0xc0, 0x39, 0x2b)
                             : this->palette().color(QPalette::WindowText));
    m_status->setPalette(palette);
    m_status->setProperty("isError", isError);
}

} // namespace tidings::app
