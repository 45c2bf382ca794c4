#include "ui/group_info_dialog.h"

#include "core/chat_client.h"
#include "protocol/messages/conversation_requests.h"
#include "ui/people_dialog.h"
#include "util/futures.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace tidings::app {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

constexpr int kUserRole = Qt::UserRole + 1;
constexpr int kNameRole = Qt::UserRole + 2; ///< the name alone, without "(you)" or the role

} // namespace

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
    m_verify = new QPushButton(tr("&Verify Safety Number…"), this);
    m_verify->setObjectName(u"verifySafetyNumberButton"_s);
    m_verify->setAccessibleName(tr("Verify the chosen member's safety number"));
    m_verify->setEnabled(false);
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addWidget(m_verify);
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
    connectActions(leave);
    resize(420, 480);
    reload();
}

void GroupInfoDialog::connectActions(QPushButton *leave)
{
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
        const bool other = item && item->data(kUserRole).toLongLong() != m_client.userId();
        m_remove->setEnabled(m_admin && other);
        m_verify->setEnabled(other);
    });
    connect(m_verify, &QPushButton::clicked, this, [this] {
        if (const QListWidgetItem *item = m_members->currentItem())
            Q_EMIT safetyNumberRequested(item->data(kUserRole).toLongLong(),
                                         item->data(kNameRole).toString());
    });
}

void GroupInfoDialog::reload()
{
    whenReady(m_client.conversationDetails(m_conversation), this,
              [this](const Result<ChatClient::ConversationDetails> &info) {
                  if (!info)
                      return;
                  QHash<qint64, local::User> users;
                  for (const local::User &user : info->users)
                      users.insert(user.id, user);
                  m_title->setText(info->conversation.title);
                  m_admin = info->conversation.myRole == u"owner"
                      || info->conversation.myRole == u"admin";
                  m_title->setReadOnly(!m_admin);
                  m_rename->setEnabled(m_admin);
                  m_add->setEnabled(m_admin);
                  m_members->clear();
                  for (const local::Member &member : info->conversation.members) {
                      const local::User user = users.value(member.userId);
                      const QString plain
                          = user.displayName.isEmpty() ? user.username : user.displayName;
                      QString name = plain;
                      if (member.userId == m_client.userId())
                          name = tr("%1 (you)").arg(name);
                      if (member.role == u"owner")
                          name += u" — "_s + tr("owner");
                      else if (member.role == u"admin")
                          name += u" — "_s + tr("admin");
                      auto *item = new QListWidgetItem(name, m_members);
                      item->setData(kUserRole, member.userId);
                      item->setData(kNameRole, plain);
                  }
                  m_remove->setEnabled(false);
                  m_verify->setEnabled(false);
              });
}

void GroupInfoDialog::run(QFuture<Result<void>> change, bool closeAfter)
{
    m_status->setText(tr("Working…"));
    whenReady(std::move(change), this, [this, closeAfter](const Result<void> &reply) {
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

} // namespace tidings::app
