#include "ui/dialogs.h"

#include "core/chat_client.h"
#include "models/conversation_list_model.h"
#include "protocol/messages/account_requests.h"
#include "protocol/messages/conversation_requests.h"
#include "ui/conversation_delegate.h"
#include "ui/media_files.h"
#include "ui/settings_keys.h"
#include "ui/theme.h"
#include "util/futures.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonArray>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace tidings::app {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

constexpr int kUserRole = Qt::UserRole + 1;
constexpr int kSeqRole = Qt::UserRole + 2;

QString userLabel(const QJsonObject &user)
{
    const QString name = user.value(u"display_name"_s).toString();
    const QString username = user.value(u"username"_s).toString();
    return name.isEmpty() || name == username ? username : name + u"  (@"_s + username + u')';
}

} // namespace

void askReportReason(QWidget *parent, const QString &objectName, const QString &title,
                     const QString &label, std::function<void(const QString &)> reported)
{
    auto *dialog = new QInputDialog(parent);
    dialog->setObjectName(objectName);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    dialog->setLabelText(label);
    dialog->setInputMode(QInputDialog::TextInput);
    QObject::connect(dialog, &QInputDialog::textValueSelected, parent,
                     [reported = std::move(reported)](const QString &reason) {
                         if (!reason.trimmed().isEmpty())
                             reported(reason.trimmed());
                     });
    dialog->open();
}

// --- PeopleDialog ------------------------------------------------------------------------

PeopleDialog::PeopleDialog(ChatClient &client, Mode mode, qint64 conversation, QWidget *parent)
    : QDialog(parent), m_client(client), m_mode(mode), m_conversation(conversation)
{
    setObjectName(u"peopleDialog"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(mode == Mode::Direct      ? tr("New Chat")
                       : mode == Mode::Group ? tr("New Group")
                                             : tr("Add Members"));
    auto *layout = new QVBoxLayout(this);
    if (mode == Mode::Group) {
        m_title = new QLineEdit(this);
        m_title->setObjectName(u"groupTitleEdit"_s);
        m_title->setAccessibleName(tr("Group name"));
        m_title->setPlaceholderText(tr("Group name"));
        m_title->setMaxLength(128);
        layout->addWidget(m_title);
        connect(m_title, &QLineEdit::textChanged, this, &PeopleDialog::updateButton);
    }
    m_query = new QLineEdit(this);
    m_query->setObjectName(u"userSearchEdit"_s);
    m_query->setAccessibleName(tr("Find people by username"));
    m_query->setPlaceholderText(tr("Find people by username"));
    m_query->setClearButtonEnabled(true);
    layout->addWidget(m_query);
    m_results = new QListWidget(this);
    m_results->setObjectName(u"userResults"_s);
    m_results->setAccessibleName(tr("People found"));
    layout->addWidget(m_results, 1);
    m_status = new QLabel(this);
    m_status->setObjectName(u"peopleStatus"_s);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_submit = buttons->addButton(mode == Mode::Direct      ? tr("&Message")
                                      : mode == Mode::Group ? tr("&Create Group")
                                                            : tr("&Add"),
                                  QDialogButtonBox::AcceptRole);
    m_submit->setObjectName(u"peopleSubmitButton"_s);
    // Enter in the search box searches: it must not press the dialog's default button.
    m_query->installEventFilter(this);
    if (m_title)
        m_title->installEventFilter(this);
    m_submit->setAccessibleName(m_submit->text().remove(u'&'));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_submit, &QPushButton::clicked, this, &PeopleDialog::submit);
    connect(m_results, &QListWidget::itemChanged, this, &PeopleDialog::updateButton);
    connect(m_results, &QListWidget::currentRowChanged, this, &PeopleDialog::updateButton);
    connect(m_results, &QListWidget::itemActivated, this, [this] {
        if (m_mode == Mode::Direct)
            submit();
    });

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(250);
    connect(m_debounce, &QTimer::timeout, this, &PeopleDialog::search);
    connect(m_query, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    resize(420, 460);
    updateButton();
}

bool PeopleDialog::eventFilter(QObject *watched, QEvent *event)
{
    if ((watched == m_query || watched == m_title) && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Return || key == Qt::Key_Enter) {
            if (watched == m_query)
                search();
            else
                m_query->setFocus();
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void PeopleDialog::search()
{
    m_debounce->stop();
    const QString prefix = m_query->text().trimmed();
    const int generation = ++m_searchGeneration;
    if (prefix.isEmpty())
        return;
    m_status->setText(tr("Searching…"));
    whenReady(m_client.searchUsers(prefix), this,
              [this, generation](const Result<QJsonObject> &reply) {
                  if (generation != m_searchGeneration)
                      return;
                  if (!reply) {
                      m_status->setText(tr("Could not search: %1").arg(reply.error().message));
                      return;
                  }
                  // Checked people stay, even when the new search does not find them.
                  for (int row = m_results->count() - 1; row >= 0; --row) {
                      if (m_results->item(row)->checkState() != Qt::Checked)
                          delete m_results->takeItem(row);
                  }
                  const QList<qint64> kept = chosen();
                  const QJsonArray users = reply->value(u"users"_s).toArray();
                  int shown = 0;
                  for (const QJsonValue &value : users) {
                      const QJsonObject user = value.toObject();
                      const qint64 id = user.value(u"id"_s).toInteger();
                      if (id == m_client.userId() && m_mode != Mode::Direct)
                          continue;
                      if (kept.contains(id))
                          continue;
                      auto *item = new QListWidgetItem(userLabel(user), m_results);
                      item->setData(kUserRole, id);
                      if (m_mode != Mode::Direct)
                          item->setCheckState(Qt::Unchecked);
                      ++shown;
                  }
                  m_status->setText(shown == 0 && kept.isEmpty() ? tr("Nobody found.") : QString());
                  if (m_mode == Mode::Direct && m_results->count() > 0)
                      m_results->setCurrentRow(0);
                  updateButton();
              });
}

QList<qint64> PeopleDialog::chosen() const
{
    QList<qint64> ids;
    for (int row = 0; row < m_results->count(); ++row) {
        const QListWidgetItem *item = m_results->item(row);
        if (m_mode == Mode::Direct ? item == m_results->currentItem()
                                   : item->checkState() == Qt::Checked)
            ids.append(item->data(kUserRole).toLongLong());
    }
    return ids;
}

void PeopleDialog::updateButton()
{
    const bool people = !chosen().isEmpty();
    const bool titled = !m_title || !m_title->text().trimmed().isEmpty();
    m_submit->setEnabled(people && titled);
}

void PeopleDialog::submit()
{
    const QList<qint64> people = chosen();
    if (people.isEmpty())
        return;
    m_submit->setEnabled(false);
    m_status->setText(tr("Working…"));
    auto done = [this](const Result<qint64> &conversation) {
        if (!conversation) {
            m_status->setText(conversation.error().message);
            updateButton();
            return;
        }
        Q_EMIT conversationReady(*conversation);
        accept();
    };
    switch (m_mode) {
    case Mode::Direct:
        whenReady(m_client.openDirect(people.first()), this, done);
        break;
    case Mode::Group:
        whenReady(m_client.createGroup(m_title->text().trimmed(), people), this, done);
        break;
    case Mode::AddMembers: {
        const messages::AddMembers add{m_conversation, people};
        whenReady(m_client.changeGroup(add), this, [this, done](const Result<QJsonObject> &reply) {
            done(reply ? Result<qint64>(m_conversation) : Result<qint64>(reply.error()));
        });
        break;
    }
    }
}

// --- GroupInfoDialog ---------------------------------------------------------------------

GroupInfoDialog::GroupInfoDialog(ChatClient &client, ConversationListModel &conversations,
                                 qint64 conversation, QWidget *parent)
    : QDialog(parent), m_client(client), m_conversations(conversations),
      m_conversation(conversation)
{
    setObjectName(u"groupInfoDialog"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Group Info"));
    auto *layout = new QVBoxLayout(this);
    auto *titleRow = new QHBoxLayout;
    m_title = new QLineEdit(this);
    m_title->setObjectName(u"groupTitleEdit"_s);
    m_title->setAccessibleName(tr("Group name"));
    m_title->setMaxLength(128);
    titleRow->addWidget(m_title, 1);
    m_rename = new QPushButton(tr("&Rename"), this);
    m_rename->setObjectName(u"renameButton"_s);
    m_rename->setAccessibleName(tr("Rename the group"));
    titleRow->addWidget(m_rename);
    layout->addLayout(titleRow);
    m_members = new QListWidget(this);
    m_members->setObjectName(u"memberList"_s);
    m_members->setAccessibleName(tr("Members"));
    layout->addWidget(m_members, 1);
    auto *buttons = new QHBoxLayout;
    m_add = new QPushButton(tr("&Add Members…"), this);
    m_add->setObjectName(u"addMembersButton"_s);
    m_add->setAccessibleName(tr("Add members"));
    m_remove = new QPushButton(tr("Re&move"), this);
    m_remove->setObjectName(u"removeMemberButton"_s);
    m_remove->setAccessibleName(tr("Remove the chosen member"));
    auto *leave = new QPushButton(tr("&Leave Group"), this);
    leave->setObjectName(u"leaveGroupButton"_s);
    leave->setAccessibleName(tr("Leave the group"));
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    buttons->addWidget(leave);
    layout->addLayout(buttons);
    m_status = new QLabel(this);
    m_status->setObjectName(u"groupStatus"_s);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(close);

    connect(m_rename, &QPushButton::clicked, this, [this] {
        const messages::RenameGroup rename{m_conversation, m_title->text().trimmed()};
        run(m_client.changeGroup(rename));
    });
    connect(m_add, &QPushButton::clicked, this, [this] {
        auto *people
            = new PeopleDialog(m_client, PeopleDialog::Mode::AddMembers, m_conversation, this);
        connect(people, &PeopleDialog::conversationReady, this, &GroupInfoDialog::reload);
        people->open();
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        const QListWidgetItem *item = m_members->currentItem();
        if (!item)
            return;
        const messages::RemoveMember remove{m_conversation, item->data(kUserRole).toLongLong()};
        run(m_client.changeGroup(remove));
    });
    connect(leave, &QPushButton::clicked, this, [this] {
        if (QMessageBox::question(this, tr("Leave group"), tr("Leave this group?"))
            == QMessageBox::Yes)
            run(m_client.changeGroup(messages::LeaveGroup{m_conversation}), true);
    });
    connect(m_members, &QListWidget::currentRowChanged, this, [this] {
        const QListWidgetItem *item = m_members->currentItem();
        m_remove->setEnabled(m_admin && item
                             && item->data(kUserRole).toLongLong() != m_client.userId());
    });
    resize(420, 480);
    reload();
}

void GroupInfoDialog::reload()
{
    const qint64 conversation = m_conversation;
    const qint64 me = m_client.userId();
    struct Info
    {
        local::Conversation conversation;
        QList<local::User> users;
    };
    m_client.store()
        .read<Info>([conversation, me](QSqlDatabase &db) -> Result<Info> {
            auto details = local::conversation(db, conversation, me);
            if (!details)
                return details.error();
            auto users = local::users(db);
            if (!users)
                return users.error();
            return Info{*details, *users};
        })
        .then(this, [this](const Result<Info> &info) {
            if (!info)
                return;
            QHash<qint64, local::User> users;
            for (const local::User &user : info->users)
                users.insert(user.id, user);
            m_title->setText(info->conversation.title);
            m_admin
                = info->conversation.myRole == u"owner" || info->conversation.myRole == u"admin";
            m_title->setReadOnly(!m_admin);
            m_rename->setEnabled(m_admin);
            m_add->setEnabled(m_admin);
            m_members->clear();
            for (const local::Member &member : info->conversation.members) {
                const local::User user = users.value(member.userId);
                QString name = user.displayName.isEmpty() ? user.username : user.displayName;
                if (member.userId == m_client.userId())
                    name = tr("%1 (you)").arg(name);
                if (member.role == u"owner")
                    name += u" — "_s + tr("owner");
                else if (member.role == u"admin")
                    name += u" — "_s + tr("admin");
                auto *item = new QListWidgetItem(name, m_members);
                item->setData(kUserRole, member.userId);
            }
            m_remove->setEnabled(false);
        });
}

void GroupInfoDialog::run(QFuture<Result<QJsonObject>> change, bool closeAfter)
{
    m_status->setText(tr("Working…"));
    whenReady(std::move(change), this, [this, closeAfter](const Result<QJsonObject> &reply) {
        if (!reply) {
            m_status->setText(reply.error().message);
            return;
        }
        m_status->clear();
        if (closeAfter) {
            accept();
            return;
        }
        // The entry comes back through sync as well; reading a moment later
        // shows it.
        QTimer::singleShot(300, this, &GroupInfoDialog::reload);
    });
}

// --- SearchDialog ------------------------------------------------------------------------

SearchDialog::SearchDialog(ChatClient &client, ConversationListModel &conversations,
                           QWidget *parent)
    : QDialog(parent), m_client(client), m_conversations(conversations)
{
    setObjectName(u"searchDialog"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Search Messages"));
    auto *layout = new QVBoxLayout(this);
    m_query = new QLineEdit(this);
    m_query->setObjectName(u"searchEdit"_s);
    m_query->setAccessibleName(tr("Search messages"));
    m_query->setPlaceholderText(tr("Search messages in all chats"));
    m_query->setClearButtonEnabled(true);
    layout->addWidget(m_query);
    m_results = new QListWidget(this);
    m_results->setObjectName(u"searchResults"_s);
    m_results->setAccessibleName(tr("Messages found"));
    m_results->setWordWrap(true);
    m_results->setAlternatingRowColors(true);
    layout->addWidget(m_results, 1);
    m_status = new QLabel(this);
    m_status->setObjectName(u"searchStatus"_s);
    layout->addWidget(m_status);
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(200);
    connect(m_debounce, &QTimer::timeout, this, &SearchDialog::search);
    connect(m_query, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_query, &QLineEdit::returnPressed, this, [this] {
        if (m_results->count() > 0) {
            m_results->setCurrentRow(std::max(0, m_results->currentRow()));
            Q_EMIT m_results->itemActivated(m_results->currentItem());
        }
    });
    connect(m_results, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        if (!item)
            return;
        Q_EMIT messageChosen(item->data(kUserRole).toLongLong(), item->data(kSeqRole).toLongLong());
        accept();
    });
    m_query->installEventFilter(this);
    resize(520, 520);
}

void SearchDialog::search()
{
    m_debounce->stop();
    const QString query = m_query->text().trimmed();
    const int generation = ++m_generation;
    if (query.isEmpty()) {
        m_results->clear();
        m_status->clear();
        return;
    }
    m_client.store()
        .read<QList<local::Message>>(
            [query](QSqlDatabase &db) { return local::search(db, query, 100); })
        .then(this, [this, generation](const Result<QList<local::Message>> &found) {
            if (generation != m_generation)
                return;
            m_results->clear();
            if (!found) {
                m_status->setText(found.error().message);
                return;
            }
            for (const local::Message &message : *found) {
                const QModelIndex conversation
                    = m_conversations.index(m_conversations.rowOf(message.conversationId));
                QString text = message.body.value(u"text"_s).toString();
                text.replace(u'\n', u' ');
                auto *item = new QListWidgetItem(
                    conversation.data(ConversationListModel::TitleRole).toString() + u" · "_s
                        + ConversationDelegate::shortTime(
                            QDateTime::fromMSecsSinceEpoch(message.createdAt))
                        + u"\n"_s + text.left(300),
                    m_results);
                item->setData(kUserRole, message.conversationId);
                item->setData(kSeqRole, message.seq.value_or(0));
            }
            m_status->setText(tr("%n message(s) found", nullptr, int(found->size())));
            if (m_results->count() > 0)
                m_results->setCurrentRow(0);
        });
}

// --- QuickSwitcher -----------------------------------------------------------------------

QuickSwitcher::QuickSwitcher(ConversationListModel &conversations, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"quickSwitcher"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Go to Chat"));
    auto *layout = new QVBoxLayout(this);
    m_query = new QLineEdit(this);
    m_query->setObjectName(u"quickSwitcherEdit"_s);
    m_query->setAccessibleName(tr("Chat name"));
    m_query->setPlaceholderText(tr("Go to chat…"));
    layout->addWidget(m_query);
    m_filtered = new QSortFilterProxyModel(this);
    m_filtered->setSourceModel(&conversations);
    m_filtered->setFilterRole(ConversationListModel::TitleRole);
    m_filtered->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_list = new QListView(this);
    m_list->setObjectName(u"quickSwitcherList"_s);
    m_list->setAccessibleName(tr("Chats"));
    m_list->setModel(m_filtered);
    m_list->setItemDelegate(new ConversationDelegate(m_list));
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(m_list, 1);
    connect(m_query, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_filtered->setFilterFixedString(text);
        m_list->setCurrentIndex(m_filtered->index(0, 0));
    });
    connect(m_query, &QLineEdit::returnPressed, this, &QuickSwitcher::choose);
    connect(m_list, &QListView::activated, this, &QuickSwitcher::choose);
    m_query->installEventFilter(this);
    m_list->setCurrentIndex(m_filtered->index(0, 0));
    resize(420, 420);
}

bool QuickSwitcher::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_query && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Down || key == Qt::Key_Up) {
            const int rows = m_filtered->rowCount();
            if (rows > 0) {
                const int row = std::clamp(
                    m_list->currentIndex().row() + (key == Qt::Key_Down ? 1 : -1), 0, rows - 1);
                m_list->setCurrentIndex(m_filtered->index(row, 0));
            }
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void QuickSwitcher::choose()
{
    const QModelIndex index = m_list->currentIndex();
    if (!index.isValid())
        return;
    Q_EMIT conversationChosen(index.data(ConversationListModel::IdRole).toLongLong());
    accept();
}

// --- SettingsDialog ----------------------------------------------------------------------

SettingsDialog::SettingsDialog(ChatClient &client, QSettings &settings, QWidget *parent)
    : QDialog(parent), m_client(client), m_settings(settings)
{
    setObjectName(u"settingsDialog"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Settings"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    layout->addLayout(form);

    auto *themeBox = new QComboBox(this);
    themeBox->setObjectName(u"themeCombo"_s);
    themeBox->setAccessibleName(tr("Theme"));
    themeBox->addItem(tr("Same as the system"), u"system"_s);
    themeBox->addItem(tr("Light"), u"light"_s);
    themeBox->addItem(tr("Dark"), u"dark"_s);
    themeBox->setCurrentIndex(
        std::max(0, themeBox->findData(m_settings.value(settings::kTheme, u"system"_s))));
    form->addRow(tr("&Theme:"), themeBox);

    auto *fontSize = new QSpinBox(this);
    fontSize->setObjectName(u"fontSizeSpin"_s);
    fontSize->setAccessibleName(tr("Text size"));
    fontSize->setRange(0, 24);
    fontSize->setSpecialValueText(tr("System"));
    fontSize->setSuffix(tr(" pt"));
    fontSize->setValue(m_settings.value(settings::kFontSize, 0).toInt());
    form->addRow(tr("Text &size:"), fontSize);

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

    auto *hideLastSeen = new QCheckBox(tr("&Hide when I was last online"), this);
    hideLastSeen->setObjectName(u"hideLastSeenCheck"_s);
    hideLastSeen->setAccessibleName(tr("Hide my last seen time"));
    hideLastSeen->setChecked(client.ownUser().value(u"hide_last_seen"_s).toBool());
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
    groupAdds->setCurrentIndex(
        std::max(0, groupAdds->findData(client.ownUser().value(u"group_adds"_s).toString())));
    form->addRow(tr("&Groups:"), groupAdds);
    auto *privacyStatus = new QLabel(this);
    privacyStatus->setObjectName(u"privacyStatus"_s);
    form->addRow(QString(), privacyStatus);

    // Storage: what downloaded files take, a limit, and a way to clear them.
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

    connect(themeBox, &QComboBox::currentIndexChanged, this, [this, themeBox] {
        m_settings.setValue(settings::kTheme, themeBox->currentData());
        Q_EMIT appearanceChanged();
    });
    connect(fontSize, &QSpinBox::valueChanged, this, [this](int value) {
        m_settings.setValue(settings::kFontSize, value);
        Q_EMIT appearanceChanged();
    });
    connect(language, &QComboBox::currentIndexChanged, this, [this, language, languageNote] {
        m_settings.setValue(settings::kLanguage, language->currentData());
        languageNote->setVisible(true);
    });
    connect(notify, &QCheckBox::toggled, this, [this, sound](bool on) {
        m_settings.setValue(settings::kNotify, on);
        sound->setEnabled(on);
        Q_EMIT notificationsChanged();
    });
    connect(sound, &QCheckBox::toggled, this, [this](bool on) {
        m_settings.setValue(settings::kSound, on);
        Q_EMIT notificationsChanged();
    });
    connect(groupAdds, &QComboBox::activated, this, [this, groupAdds, privacyStatus] {
        privacyStatus->setText(tr("Saving…"));
        const QString chosen = groupAdds->currentData().toString();
        const messages::UpdateProfile update{std::nullopt, std::nullopt, chosen};
        whenReady(
            m_client.updateProfile(update), this,
            [this, groupAdds, privacyStatus](const Result<QJsonObject> &reply) {
                if (reply) {
                    privacyStatus->setText(tr("Saved."));
                    return;
                }
                privacyStatus->setText(tr("Not saved: %1").arg(reply.error().message));
                const QSignalBlocker blocker(groupAdds);
                groupAdds->setCurrentIndex(std::max(
                    0, groupAdds->findData(m_client.ownUser().value(u"group_adds"_s).toString())));
            });
    });
    connect(hideLastSeen, &QCheckBox::toggled, this, [this, hideLastSeen, privacyStatus](bool on) {
        privacyStatus->setText(tr("Saving…"));
        const messages::UpdateProfile update{std::nullopt, on, std::nullopt};
        whenReady(m_client.updateProfile(update), this,
                  [this, hideLastSeen, privacyStatus, on](const Result<QJsonObject> &reply) {
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

} // namespace tidings::app
