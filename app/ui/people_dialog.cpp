#include "ui/people_dialog.h"

#include "core/chat_client.h"
#include "protocol/messages/conversation_requests.h"
#include "util/futures.h"

#include <QDialogButtonBox>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace tidings::app {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

constexpr int kPersonRole = Qt::UserRole + 1;

QString userLabel(const messages::User &user)
{
    const QString &name = user.displayName;
    const QString &username = user.username;
    return name.isEmpty() || name == username ? username : name + u"  (@"_s + username + u')';
}

} // namespace

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
              [this, generation](const Result<QList<messages::User>> &reply) {
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
                  int shown = 0;
                  for (const messages::User &user : *reply) {
                      const qint64 id = user.id;
                      if (id == m_client.userId() && m_mode != Mode::Direct)
                          continue;
                      if (kept.contains(id))
                          continue;
                      auto *item = new QListWidgetItem(userLabel(user), m_results);
                      item->setData(kPersonRole, id);
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
            ids.append(item->data(kPersonRole).toLongLong());
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
        whenReady(m_client.changeGroup(add), this, [this, done](const Result<void> &reply) {
            done(reply ? Result<qint64>(m_conversation) : Result<qint64>(reply.error()));
        });
        break;
    }
    }
}

} // namespace tidings::app
