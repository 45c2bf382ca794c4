// ConversationView's end-to-end encryption: the lock in the header, the note when a chat is
// not encrypted, and the banner and the lines about a changed safety number
// (docs/encryption.md, sections 7 and 9).
#include "ui/conversation_view.h"

#include "core/chat_client.h"
#include "models/conversation_list_model.h"
#include "models/e2e_status.h"
#include "models/message_list_model.h"
#include "ui/compose_bar.h"
#include "ui/message_delegate.h"
#include "ui/safety_number_dialog.h"
#include "ui/theme.h"
#include "util/futures.h"

#include <QLabel>
#include <QListView>

namespace tidings::app {

using namespace Qt::StringLiterals;
using Model = MessageListModel;

void ConversationView::updateEncryption(const QModelIndex &index)
{
    const qint64 e2eSeq = index.data(ConversationListModel::E2eSeqRole).toLongLong();
    if (m_delegate->encryptedFromSeq() != e2eSeq) {
        // The line above the first encrypted entry comes or goes.
        m_delegate->setEncryptedFromSeq(e2eSeq);
        if (m_model)
            m_list->doItemsLayout();
    }
    m_lock->setVisible(e2eSeq > 0);
    if (e2eSeq > 0) {
        const qint64 other = index.data(ConversationListModel::OtherUserRole).toLongLong();
        const bool verified = other != 0 && other == m_verifiedUser && m_verified;
        const QString icon = verified ? u"verified"_s : u"lock"_s;
        const QColor colour = verified ? theme::online() : theme::secondaryText();
        const QString key = icon + colour.name();
        if (m_lockIcon != key) { // drawn again only when it changes
            m_lock->setPixmap(theme::icon(icon, colour).pixmap(QSize(16, 16), devicePixelRatioF()));
            m_lockIcon = key;
        }
        QStringList lines{tr("Messages in this chat are end-to-end encrypted. Only the people in "
                             "it can read them.")};
        if (verified)
            lines.append(tr("You have verified %1's safety number.")
                             .arg(index.data(ConversationListModel::TitleRole).toString()));
        if (plainMessageBefore(e2eSeq))
            lines.append(tr("Older messages, above the line that says so, were not encrypted."));
        m_lock->setToolTip(lines.join(u'\n'));
        m_lock->setAccessibleDescription(m_lock->toolTip());
    }
    // A chat that has a history without encryption, while this app encrypts: said, muted.
    m_notEncrypted->setVisible(e2eSeq == 0 && m_e2e->state() != E2eStatus::State::Off
                               && index.data(ConversationListModel::HasMessagesRole).toBool());
}

bool ConversationView::plainMessageBefore(qint64 seq) const
{
    if (!m_model)
        return false;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QModelIndex index = m_model->index(row);
        const qint64 rowSeq = index.data(Model::SeqRole).toLongLong();
        if (rowSeq >= seq)
            return false; // in seq order, queued ones (0) last
        if (rowSeq > 0 && index.data(Model::KindRole).toString() == u"message"
            && index.data(Model::EncryptionRole).toString().isEmpty())
            return true;
    }
    return false;
}

void ConversationView::checkTrust()
{
    const qint64 conversation = m_conversation;
    if (conversation == 0)
        return;
    const QModelIndex index = listRow();
    const qint64 other
        = index.isValid() ? index.data(ConversationListModel::OtherUserRole).toLongLong() : 0;
    if (other != 0) {
        whenReady(m_client.trust(other), this,
                  [this, conversation, other](const Result<local::e2e::Trust> &trust) {
                      if (conversation != m_conversation || !trust)
                          return;
                      m_verifiedUser = other;
                      m_verified = trust->verified && !trust->changed;
                      updateHeader();
                  });
    }
    whenReady(m_client.changedKeys(), this,
              [this, conversation](const Result<QList<qint64>> &changed) {
                  if (conversation == m_conversation && changed)
                      showKeyChange(*changed);
              });
}

void ConversationView::showKeyChange(const QList<qint64> &changed)
{
    if (changed.isEmpty()) {
        m_composeBar->setKeyChange(0, {});
        return;
    }
    // Those of them in this conversation; one at a time, the next after I understand.
    const qint64 conversation = m_conversation;
    whenReady(
        m_client.conversationDetails(conversation), this,
        [this, conversation, changed](const Result<ChatClient::ConversationDetails> &details) {
            if (conversation != m_conversation || !details)
                return;
            for (const local::Member &member : details->conversation.members) {
                if (member.userId == m_client.userId() || !changed.contains(member.userId))
                    continue;
                QString name;
                for (const local::User &user : details->users) {
                    if (user.id == member.userId)
                        name = user.displayName.isEmpty() ? user.username : user.displayName;
                }
                m_composeBar->setKeyChange(member.userId, name);
                return;
            }
            m_composeBar->setKeyChange(0, {});
        });
}

bool ConversationView::verifyKeyChange(const QModelIndex &index)
{
    if (!index.isValid() || index.data(Model::KindRole).toString() != u"key_changed")
        return false;
    showSafetyNumber(index.data(Model::SenderIdRole).toLongLong(),
                     index.data(Model::SenderNameRole).toString());
    return true;
}

void ConversationView::showSafetyNumber(qint64 user, const QString &name)
{
    if (user == 0)
        return;
    auto *dialog = new SafetyNumberDialog(m_client, user, name, this);
    connect(dialog, &SafetyNumberDialog::trustChanged, this, &ConversationView::checkTrust);
    dialog->open();
}

} // namespace tidings::app
