#include "models/conversation_list_model.h"

#include "core/chat_client.h"
#include "models/initials.h"
#include "models/shown_message.h"
#include "util/futures.h"

#include <QDateTime>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tidings::app {

namespace {

struct Listing
{
    QList<local::Conversation> conversations;
    QList<local::User> users;
    QList<qint64> gone; ///< asked for, not in the store (any more)
};

constexpr qsizetype kPreviewLength = 120;

/// One line of at most kPreviewLength characters.
QString oneLine(const QString &text)
{
    QString line = text.simplified();
    if (line.size() > kPreviewLength)
        line = line.left(kPreviewLength - 1) + u'…';
    return line;
}

} // namespace

ConversationListModel::ConversationListModel(ChatClient &client, QObject *parent)
    : RowListModel(parent), m_client(client)
{
    // Conversations may have come or gone: the whole list. Something in one: its row.
    connect(&client.sync(), &SyncEngine::conversationsChanged, this,
            &ConversationListModel::refresh);
    connect(&client.sync(), &SyncEngine::conversationChanged, this,
            [this](const ConversationChange &change) { refreshRow(change.conversation); });
    connect(&client.outbox(), &Outbox::changed, this, &ConversationListModel::refreshRow);
    connect(&client, &ChatClient::signedIn, this, &ConversationListModel::refresh);
    connect(&client.sync(), &SyncEngine::typingChanged, this, [this](qint64 conversation) {
        if (const int row = rowOf(conversation); row >= 0)
            Q_EMIT dataChanged(index(row), index(row), {TypingRole});
    });
    connect(&client.sync(), &SyncEngine::presenceChanged, this,
            &ConversationListModel::rowsWithUserChanged);
    // A last message that waited for its key opens without a conversationChanged (the
    // engine names only the conversation).
    connect(&client.sync(), &SyncEngine::messagesChanged, this, [this](qint64 conversation) {
        const int row = rowOf(conversation);
        if (row >= 0 && m_rows.at(row).waiting)
            refreshRow(conversation);
    });
    refresh();
}

ConversationListModel::~ConversationListModel() = default;

int ConversationListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QHash<int, QByteArray> ConversationListModel::roleNames() const
{
    QHash<int, QByteArray> names = RowListModel::roleNames();
    names.insert({{IdRole, "conversationId"},
                  {KindRole, "kind"},
                  {TitleRole, "title"},
                  {InitialsRole, "initials"},
                  {AvatarKeyRole, "avatarKey"},
                  {PreviewRole, "preview"},
                  {LastActivityRole, "lastActivity"},
                  {UnreadRole, "unread"},
                  {MemberCountRole, "memberCount"},
                  {OtherUserRole, "otherUser"},
                  {OnlineRole, "online"},
                  {LastSeenRole, "lastSeen"},
                  {TypingRole, "typing"},
                  {DraftRole, "draft"},
                  {E2eSeqRole, "e2eSeq"},
                  {HasMessagesRole, "hasMessages"}});
    return names;
}

QVariant ConversationListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const local::Conversation &conversation = row.conversation;
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return row.title;
    case Qt::ToolTipRole:
        return row.preview;
    case IdRole:
        return conversation.id;
    case KindRole:
        return conversation.kind;
    case InitialsRole:
        return initialsOf(row.title);
    case AvatarKeyRole:
        return row.otherUser != 0 ? row.otherUser : conversation.id;
    case PreviewRole:
        return row.preview;
    case LastActivityRole:
        return conversation.lastActivity > 0
            ? QDateTime::fromMSecsSinceEpoch(conversation.lastActivity)
            : QDateTime();
    case UnreadRole:
        return conversation.unread;
    case MemberCountRole:
        return conversation.memberCount;
    case OtherUserRole:
        return row.otherUser;
    case OnlineRole:
        return row.otherUser != 0 && m_client.sync().isOnline(row.otherUser);
    case LastSeenRole: {
        const qint64 seen = row.otherUser != 0 ? m_client.sync().lastSeen(row.otherUser) : 0;
        return seen > 0 ? QDateTime::fromMSecsSinceEpoch(seen) : QDateTime();
    }
    case TypingRole: {
        QStringList names;
        const QList<qint64> typing = m_client.sync().typing(conversation.id);
        for (const qint64 user : typing) {
            if (user != m_client.userId())
                names.append(m_names.of(user));
        }
        names.sort(Qt::CaseInsensitive);
        return names;
    }
    case DraftRole:
        return conversation.draft;
    case E2eSeqRole:
        return conversation.e2eSeq;
    case HasMessagesRole:
        return conversation.lastMessage.has_value() && conversation.lastMessage->seq.has_value();
    default:
        return {};
    }
}

int ConversationListModel::rowOf(qint64 conversation) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).conversation.id == conversation)
            return row;
    }
    return -1;
}

void ConversationListModel::refresh()
{
    if (m_loading) {
        m_dirty = true; // one more read after this one, however many changes come meanwhile
        return;
    }
    m_loading = true;
    m_stale.clear(); // the whole read has them
    const qint64 me = m_client.userId();
    auto read = m_client.reader().read<Listing>([me](QSqlDatabase &db) -> Result<Listing> {
        auto conversations = local::conversations(db, me);
        if (!conversations)
            return conversations.error();
        auto users = local::users(db);
        if (!users)
            return users.error();
        return Listing{std::move(*conversations), std::move(*users), {}};
    });
    read.then(this, [this](const Result<Listing> &snapshot) {
        m_loading = false;
        if (snapshot) {
            m_names.reset(snapshot->users);
            QList<Row> next;
            next.reserve(snapshot->conversations.size());
            for (const local::Conversation &conversation : snapshot->conversations)
                next.append(makeRow(conversation));
            replaceRows(
                m_rows, next, [](const Row &row) { return row.conversation.id; }, &same);
            Q_EMIT refreshed();
        }
        if (m_dirty) {
            m_dirty = false;
            refresh();
        } else {
            readStale();
        }
    });
}

void ConversationListModel::refreshRow(qint64 conversation)
{
    if (conversation <= 0)
        return;
    m_stale.insert(conversation);
    readStale();
}

void ConversationListModel::readStale()
{
    if (m_loading || m_stale.isEmpty())
        return;
    m_loading = true;
    const QList<qint64> ids(m_stale.cbegin(), m_stale.cend());
    m_stale.clear();
    const qint64 me = m_client.userId();
    auto read = m_client.reader().read<Listing>([ids, me](QSqlDatabase &db) -> Result<Listing> {
        Listing snapshot;
        for (const qint64 id : ids) {
            auto conversation = local::conversation(db, id, me);
            if (conversation)
                snapshot.conversations.append(std::move(*conversation));
            else if (conversation.error().code == ErrorCode::NotFound)
                snapshot.gone.append(id);
            else
                return conversation.error();
        }
        auto users = local::users(db); // a new member's name may have come with it
        if (!users)
            return users.error();
        snapshot.users = std::move(*users);
        return snapshot;
    });
    read.then(this, [this, ids](const Result<Listing> &snapshot) {
        m_loading = false;
        if (snapshot) {
            m_names.reset(snapshot->users);
            QList<Row> next = m_rows;
            next.removeIf([&snapshot](const Row &row) {
                return snapshot->gone.contains(row.conversation.id);
            });
            for (const local::Conversation &conversation : snapshot->conversations) {
                Row fresh = makeRow(conversation);
                const auto found = std::find_if(next.begin(), next.end(), [&](const Row &row) {
                    return row.conversation.id == conversation.id;
                });
                if (found != next.end())
                    *found = std::move(fresh);
                else
                    next.append(std::move(fresh));
            }
            std::stable_sort(next.begin(), next.end(), &before);
            replaceRows(
                m_rows, next, [](const Row &row) { return row.conversation.id; }, &same);
            Q_EMIT rowsRefreshed(ids);
            Q_EMIT refreshed();
        } else {
            m_dirty = true; // read everything again rather than show a half-known list
        }
        if (m_dirty) {
            m_dirty = false;
            refresh();
        } else {
            readStale();
        }
    });
}

bool ConversationListModel::before(const Row &a, const Row &b)
{
    const local::Conversation &x = a.conversation;
    const local::Conversation &y = b.conversation;
    return x.lastActivity != y.lastActivity ? x.lastActivity > y.lastActivity : x.id > y.id;
}

ConversationListModel::Row
ConversationListModel::makeRow(const local::Conversation &conversation) const
{
    Row row;
    row.conversation = conversation;
    const qint64 me = m_client.userId();
    if (conversation.kind == u"direct") {
        for (const local::Member &member : conversation.members) {
            if (member.userId != me)
                row.otherUser = member.userId;
        }
        row.title = row.otherUser != 0 ? m_names.of(row.otherUser) : m_names.of(me);
    } else {
        row.title = conversation.title.isEmpty() ? tr("Group") : conversation.title;
    }
    const auto attachmentSummary = [](const QList<MessageAttachment> &attachments) {
        const protocol::messages::Attachment &first = attachments.first().file;
        if (attachments.size() > 1)
            return tr("%n file(s)", nullptr, int(attachments.size()));
        if (first.type.startsWith(u"image/"_s))
            return tr("Photo");
        if (first.type.startsWith(u"video/"_s))
            return tr("Video");
        return first.name;
    };
    if (conversation.lastMessage) {
        const local::Message &last = *conversation.lastMessage;
        const ShownMessage shown = ShownMessage::of(last.body);
        row.waiting = shown.sealing == ShownMessage::Sealing::Waiting;
        QString text = shown.state.deleted ? tr("Message deleted") : oneLine(shown.state.text);
        if (!shown.state.deleted && shown.sealing == ShownMessage::Sealing::Waiting)
            text = tr("Waiting for this message's key…");
        else if (!shown.state.deleted && shown.sealing == ShownMessage::Sealing::Failed)
            text = tr("This message could not be decrypted.");
        if (text.isEmpty() && !shown.attachments.isEmpty())
            text = attachmentSummary(shown.attachments);
        if (last.senderId == me)
            row.preview = tr("You: %1").arg(text);
        else if (conversation.kind != u"direct")
            row.preview = tr("%1: %2").arg(m_names.of(last.senderId), text);
        else
            row.preview = text;
    }
    return row;
}

bool ConversationListModel::same(const Row &a, const Row &b)
{
    const local::Conversation &x = a.conversation;
    const local::Conversation &y = b.conversation;
    return a.title == b.title && a.preview == b.preview && a.otherUser == b.otherUser
        && x.lastActivity == y.lastActivity && x.unread == y.unread
        && x.memberCount == y.memberCount && x.draft == y.draft && x.lastSeq == y.lastSeq
        && x.readSeq == y.readSeq && x.deliveredSeq == y.deliveredSeq && x.kind == y.kind
        && x.e2eSeq == y.e2eSeq && x.lastMessage.has_value() == y.lastMessage.has_value()
        && (!x.lastMessage || x.lastMessage->seq == y.lastMessage->seq);
}

void ConversationListModel::rowsWithUserChanged(qint64 user)
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).otherUser == user)
            Q_EMIT dataChanged(index(row), index(row), {OnlineRole, LastSeenRole});
    }
}

} // namespace tidings::app
