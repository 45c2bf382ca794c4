#include "ui/search_dialog.h"

#include "core/chat_client.h"
#include "models/conversation_list_model.h"
#include "models/shown_message.h"
#include "ui/conversation_delegate.h"
#include "util/futures.h"

#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

constexpr int kConversationRole = Qt::UserRole + 1;
constexpr int kSeqRole = Qt::UserRole + 2;

} // namespace

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
        Q_EMIT messageChosen(item->data(kConversationRole).toLongLong(),
                             item->data(kSeqRole).toLongLong());
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
    whenReady(m_client.searchMessages(query, 100), this,
              [this, generation](const Result<QList<local::Message>> &found) {
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
                      QString text = ShownMessage::of(message.body).state.text;
                      text.replace(u'\n', u' ');
                      auto *item = new QListWidgetItem(
                          conversation.data(ConversationListModel::TitleRole).toString() + u" · "_s
                              + ConversationDelegate::shortTime(
                                  QDateTime::fromMSecsSinceEpoch(message.createdAt))
                              + u"\n"_s + text.left(300),
                          m_results);
                      item->setData(kConversationRole, message.conversationId);
                      item->setData(kSeqRole, message.seq.value_or(0));
                  }
                  m_status->setText(tr("%n message(s) found", nullptr, int(found->size())));
                  if (m_results->count() > 0)
                      m_results->setCurrentRow(0);
              });
}

} // namespace tidings::app
