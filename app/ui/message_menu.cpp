#include "ui/message_menu.h"

#include "core/chat_client.h"
#include "models/message_list_model.h"
#include "ui/attachment_media.h"
#include "ui/conversation_view.h"

#include <QApplication>
#include <QClipboard>
#include <QMessageBox>

// The menu was part of ConversationView, and the translations keep its strings there: they
// are translated as ConversationView::tr().

namespace tidings::app {

using namespace Qt::StringLiterals;
using Model = MessageListModel;

namespace {

const QStringList kReactions = {u"👍"_s, u"❤️"_s, u"😂"_s, u"😮"_s, u"😢"_s, u"🙏"_s};

} // namespace

MessageMenu::MessageMenu(const QModelIndex &index, qint64 conversation, ChatClient &client,
                         AttachmentMedia &media, QWidget *parent)
    : QMenu(parent), m_conversation(conversation), m_client(client), m_media(media)
{
    setObjectName(u"messageMenu"_s);
    addReplyCopyAndReact(index);
    addFileActions(index);
    addEditAndDelete(index);
    addUnsentActions(index);
    addFailedChangeActions(index);
    const bool own = index.data(Model::IsOwnRole).toBool();
    const qint64 seq = index.data(Model::SeqRole).toLongLong();
    if (!own && seq > 0) {
        addSeparator();
        addAction(ConversationView::tr("Re&port…"), this,
                  [this, seq] { Q_EMIT reportRequested(m_conversation, seq); });
    }
}

void MessageMenu::addReplyCopyAndReact(const QModelIndex &index)
{
    const qint64 seq = index.data(Model::SeqRole).toLongLong();
    const QString sealing = index.data(Model::EncryptionRole).toString();
    // Without its text (its key has not come, or it did not decrypt) there is nothing to
    // quote, copy or react to.
    if (seq <= 0 || index.data(Model::DeletedRole).toBool() || sealing == u"waiting"
        || sealing == u"failed")
        return;
    const QuotedMessage message = QuotedMessage::of(index);
    addAction(ConversationView::tr("&Reply"), this,
              [this, message] { Q_EMIT replyRequested(message); });
    addAction(ConversationView::tr("&Copy Text"), this,
              [message] { QApplication::clipboard()->setText(message.text); });
    QMenu *react = addMenu(ConversationView::tr("Re&act"));
    const QVariantMap reactions = index.data(Model::ReactionsRole).toMap();
    for (const QString &emoji : kReactions) {
        const bool mine = reactions.value(emoji).toList().contains(m_client.userId());
        QAction *action = react->addAction(emoji, this, [this, seq, emoji, mine] {
            m_client.outbox().react(m_conversation, seq, emoji, !mine);
        });
        action->setCheckable(true);
        action->setChecked(mine);
    }
}

void MessageMenu::addFileActions(const QModelIndex &index)
{
    if (index.data(Model::DeletedRole).toBool())
        return;
    const auto attachments = index.data(Model::AttachmentsRole).value<QList<MessageAttachment>>();
    for (const MessageAttachment &attachment : attachments) {
        const QString path = m_media.status(attachment).path;
        const QString &name = attachment.file.name;
        if (path.isEmpty()) {
            if (!attachment.file.media.isEmpty()) {
                addSeparator();
                addAction(ConversationView::tr("&Download “%1”").arg(name), this,
                          [this, attachment] { m_media.download(attachment); });
            }
            continue;
        }
        addSeparator();
        addAction(ConversationView::tr("&Open “%1”").arg(name), this,
                  [this, attachment] { Q_EMIT openFileRequested(attachment); });
        addAction(ConversationView::tr("&Save As…"), this,
                  [this, attachment] { Q_EMIT saveFileRequested(attachment); });
        addAction(ConversationView::tr("Show in &Folder"), this,
                  [this, attachment] { Q_EMIT showFileRequested(attachment); });
    }
}

void MessageMenu::addEditAndDelete(const QModelIndex &index)
{
    const qint64 seq = index.data(Model::SeqRole).toLongLong();
    if (!index.data(Model::IsOwnRole).toBool() || seq <= 0
        || index.data(Model::DeletedRole).toBool())
        return;
    const QuotedMessage message = QuotedMessage::of(index);
    addAction(ConversationView::tr("&Edit"), this,
              [this, message] { Q_EMIT editRequested(message); });
    addAction(ConversationView::tr("&Delete for Everyone"), this, [this, seq] {
        if (QMessageBox::question(parentWidget(), ConversationView::tr("Delete message"),
                                  ConversationView::tr("Delete this message for everyone?"))
            == QMessageBox::Yes)
            m_client.outbox().remove(m_conversation, seq);
    });
}

void MessageMenu::addUnsentActions(const QModelIndex &index)
{
    const auto state = index.data(Model::StateRole).value<Model::State>();
    if (!index.data(Model::IsOwnRole).toBool()
        || (state != Model::State::Failed && state != Model::State::Queued))
        return;
    // Not sent (yet): the text is never lost — copy it, or take it back to change it.
    const QString clientId = index.data(Model::ClientIdRole).toString();
    const QString text = index.data(Model::TextRole).toString();
    if (!text.isEmpty()) {
        addAction(ConversationView::tr("&Copy Text"), this,
                  [text] { QApplication::clipboard()->setText(text); });
        addAction(ConversationView::tr("&Edit and Send Again"), this, [this, clientId, text] {
            m_client.outbox().cancel(clientId);
            Q_EMIT editAgainRequested(text);
        });
    }
    if (state == Model::State::Failed)
        addAction(ConversationView::tr("Try &Again"), this,
                  [this, clientId] { m_client.outbox().retry(clientId); });
    addAction(ConversationView::tr("&Cancel Sending"), this,
              [this, clientId] { m_client.outbox().cancel(clientId); });
}

void MessageMenu::addFailedChangeActions(const QModelIndex &index)
{
    // A change of mine the relay refused (it is undone): send it again, or let it go.
    const QString change = index.data(Model::FailedChangeRole).toString();
    if (change.isEmpty())
        return;
    addSeparator();
    QAction *retry = addAction(ConversationView::tr("Retr&y Change"), this,
                               [this, change] { m_client.outbox().retry(change); });
    retry->setObjectName(u"retryChangeAction"_s);
    QAction *discard = addAction(ConversationView::tr("D&iscard Change"), this,
                                 [this, change] { m_client.outbox().cancel(change); });
    discard->setObjectName(u"discardChangeAction"_s);
}

} // namespace tidings::app
