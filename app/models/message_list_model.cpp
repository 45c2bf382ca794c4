#include "models/message_list_model.h"

#include "core/chat_client.h"
#include "util/futures.h"

#include <QDateTime>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tidings::app {

namespace {

namespace messages = protocol::messages;

struct Snapshot
{
    QList<local::Message> messages;
    local::Conversation details;
    QList<local::User> users;
};

/// How many entries past the loaded window one refresh may bring (a burst while the
/// user reads old history); the next refresh brings more.
constexpr int kRefreshMargin = 5000;

/// Whether `page` (read with `limit`) is short: the start of the history is reached. Local
/// entries come beside a page, not in its count.
bool reachesStart(const QList<local::Message> &page, int limit)
{
    const auto counted = std::count_if(page.cbegin(), page.cend(), [](const local::Message &entry) {
        return !entry.afterSeq.has_value();
    });
    return counted < limit;
}

} // namespace

MessageListModel::MessageListModel(ChatClient &client, qint64 conversation, int pageSize,
                                   QObject *parent)
    : RowListModel(parent), m_client(client), m_conversation(conversation),
      m_pageSize(std::max(1, pageSize))
{
    // The relay's news says what changed: just that is read again (issue 18). What the user
    // does here (the outbox) reads the window again: it is one conversation, and rare.
    connect(&client.sync(), &SyncEngine::conversationChanged, this,
            [this](const ConversationChange &change) {
                if (change.conversation == m_conversation)
                    applyChange(change);
            });
    connect(&client.outbox(), &Outbox::changed, this, [this](qint64 changed) {
        if (changed == m_conversation)
            refresh();
    });
    // Messages that waited for their key open without a conversationChanged (the engine
    // names only the conversation): the waiting rows are read again.
    connect(&client.sync(), &SyncEngine::messagesChanged, this, [this](qint64 changed) {
        if (changed == m_conversation)
            readWaiting();
    });
    // A safety number changed: this device may have noted it here (a local entry).
    connect(&client, &ChatClient::keysChanged, this, [this] { refresh(); });
    refresh();
}

MessageListModel::~MessageListModel() = default;

int MessageListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QHash<int, QByteArray> MessageListModel::roleNames() const
{
    QHash<int, QByteArray> names = RowListModel::roleNames();
    names.insert({{IdRole, "localId"},
                  {SeqRole, "seq"},
                  {ClientIdRole, "clientId"},
                  {KindRole, "kind"},
                  {SenderIdRole, "senderId"},
                  {SenderNameRole, "senderName"},
                  {IsOwnRole, "isOwn"},
                  {TextRole, "text"},
                  {TimeRole, "time"},
                  {StateRole, "state"},
                  {ErrorRole, "error"},
                  {ReadByRole, "readBy"},
                  {OthersRole, "others"},
                  {EditedRole, "edited"},
                  {DeletedRole, "deleted"},
                  {ReactionsRole, "reactions"},
                  {ReplyToRole, "replyTo"},
                  {AttachmentsRole, "attachments"},
                  {SystemTextRole, "systemText"},
                  {ReplySenderRole, "replySender"},
                  {ReplyTextRole, "replyText"},
                  {FailedChangeRole, "failedChange"},
                  {FailedChangeTextRole, "failedChangeText"},
                  {EncryptionRole, "encryption"}});
    return names;
}

QVariant MessageListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const local::Message &message = row.message;
    const messages::MessageState &state = row.shown.state;
    const bool deleted = state.deleted;
    switch (role) {
    case Qt::DisplayRole:
    case TextRole:
        return deleted ? QString() : state.text;
    case Qt::AccessibleTextRole: // an event is heard as the line that shows it
        return message.kind == messages::kinds::kMessage ? data(index, TextRole)
                                                         : describeEvent(message);
    case IdRole:
        return message.id;
    case SeqRole:
        return message.seq.value_or(0);
    case ClientIdRole:
        return message.clientId;
    case KindRole:
        return message.kind;
    case SenderIdRole:
        return message.senderId;
    case SenderNameRole:
        return m_names.of(message.senderId);
    case IsOwnRole:
        return message.senderId == m_client.userId();
    case TimeRole:
        return QDateTime::fromMSecsSinceEpoch(message.createdAt);
    case StateRole:
        return QVariant::fromValue(row.state);
    case ErrorRole:
        return message.error;
    case ReadByRole:
        return row.readBy;
    case OthersRole:
        return std::max<int>(0, int(m_details.members.size()) - 1);
    case EditedRole:
        return !deleted && state.editedAt > 0;
    case DeletedRole:
        return deleted;
    case ReactionsRole: {
        QVariantMap reactions;
        for (auto reaction = state.reactions.cbegin(); reaction != state.reactions.cend();
             ++reaction) {
            QVariantList users;
            for (const qint64 user : reaction.value())
                users.append(user);
            reactions.insert(reaction.key(), users);
        }
        return reactions;
    }
    case ReplyToRole:
        return state.replyTo;
    case AttachmentsRole:
        return QVariant::fromValue(row.shown.attachments);
    case SystemTextRole:
        return describeEvent(message);
    case ReplySenderRole:
    case ReplyTextRole: {
        if (state.replyTo <= 0)
            return {};
        const int at = rowOfSeq(state.replyTo);
        if (at < 0)
            return role == ReplyTextRole ? QVariant(u"…"_s) : QVariant();
        const Row &original = m_rows.at(at);
        if (role == ReplySenderRole)
            return m_names.of(original.message.senderId);
        if (original.shown.state.deleted)
            return tr("Deleted message");
        if (original.shown.isUnreadable())
            return u"…"_s; // its text is not here (yet)
        return original.shown.state.text;
    }
    case FailedChangeRole:
        return message.failedChange ? message.failedChange->key : QString();
    case FailedChangeTextRole:
        return message.failedChange ? describeFailedChange(*message.failedChange) : QString();
    case Qt::AccessibleDescriptionRole: // a screen reader hears the refusal with the message
        if (message.kind == local::kinds::kKeyChanged)
            return tr("Activate it to compare safety numbers.");
        return message.failedChange ? describeFailedChange(*message.failedChange) : QString();
    case EncryptionRole:
        switch (row.shown.sealing) {
        case ShownMessage::Sealing::None:
            return QString();
        case ShownMessage::Sealing::Opened:
            return u"encrypted"_s;
        case ShownMessage::Sealing::Waiting:
            return u"waiting"_s;
        case ShownMessage::Sealing::Failed:
            return u"failed"_s;
        }
        return QString();
    default:
        return {};
    }
}

QString MessageListModel::describeFailedChange(const local::Message::FailedChange &change)
{
    if (change.type == u"message.edit")
        return tr("Your edit was not sent: %1").arg(change.error);
    if (change.type == u"message.delete")
        return tr("Not deleted: %1").arg(change.error);
    return tr("Your reaction was not sent: %1").arg(change.error);
}

bool MessageListModel::canLoadOlder() const
{
    return m_loaded && !m_atStart;
}

void MessageListModel::loadOlder()
{
    if (!canLoadOlder())
        return;
    m_wantOlder = true;
    if (!m_busy)
        next();
}

void MessageListModel::refresh()
{
    m_dirty = true;
    if (!m_busy)
        next();
}

void MessageListModel::applyChange(const ConversationChange &change)
{
    for (const local::Seq seq : change.entries)
        m_changedSeqs.insert(seq);
    m_changedMembers = m_changedMembers || change.members;
    m_changedDetails = m_changedDetails || change.members || change.receipts;
    if (!m_busy)
        next();
}

void MessageListModel::readWaiting()
{
    bool waiting = false;
    for (const Row &row : std::as_const(m_rows)) {
        if (row.shown.sealing == ShownMessage::Sealing::Waiting && row.message.seq) {
            m_changedSeqs.insert(*row.message.seq);
            waiting = true;
        }
    }
    if (waiting && !m_busy)
        next();
}

void MessageListModel::readChanges()
{
    m_busy = true;
    const QList<local::Seq> seqs(m_changedSeqs.cbegin(), m_changedSeqs.cend());
    const bool details = std::exchange(m_changedDetails, false);
    const bool members = std::exchange(m_changedMembers, false);
    m_changedSeqs.clear();
    const qint64 conversation = m_conversation;
    const qint64 me = m_client.userId();
    auto read = m_client.reader().read<Snapshot>([=](QSqlDatabase &db) -> Result<Snapshot> {
        Snapshot snapshot;
        if (!seqs.isEmpty()) {
            auto messages = local::messagesAt(db, conversation, seqs);
            if (!messages)
                return messages.error();
            snapshot.messages = std::move(*messages);
        }
        if (details) {
            auto known = local::conversation(db, conversation, me);
            if (!known)
                return known.error();
            snapshot.details = std::move(*known);
        }
        if (members) {
            auto users = local::users(db);
            if (!users)
                return users.error();
            snapshot.users = std::move(*users);
        }
        return snapshot;
    });
    read.then(this, [this, details, members](const Result<Snapshot> &snapshot) {
        m_busy = false;
        if (!snapshot) {
            m_dirty = true; // read it all again
        } else {
            if (details)
                m_details = snapshot->details;
            if (members)
                m_names.reset(snapshot->users);
            mergeRows(snapshot->messages, details);
        }
        next();
    });
}

void MessageListModel::mergeRows(const QList<local::Message> &changed, bool details)
{
    QList<Row> rows = m_rows;
    if (details) {
        for (Row &row : rows)
            setTicks(row); // ticks follow the members' cursors
    }
    const std::optional<local::Seq> start = windowStart();
    for (const local::Message &message : changed) {
        const auto same = std::find_if(rows.begin(), rows.end(), [&message](const Row &row) {
            return row.message.id == message.id;
        });
        if (same != rows.end()) {
            *same = makeRow(message);
            continue;
        }
        // New: shown when it falls in the window (older history comes with loadOlder()).
        if (!message.seq || (start && *message.seq < *start && !m_atStart))
            continue;
        const auto after = std::find_if(rows.begin(), rows.end(), [&message](const Row &row) {
            return local::comesBefore(message, row.message);
        });
        rows.insert(after, makeRow(message));
    }
    // A queued message the relay took has its seq now: it goes among the sent ones.
    std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
        return local::comesBefore(a.message, b.message);
    });
    replaceRows(
        m_rows, rows, [](const Row &row) { return row.message.id; }, &same);
    Q_EMIT refreshed();
}

void MessageListModel::next()
{
    if (m_wantOlder && m_loaded && !m_atStart) {
        m_wantOlder = false;
        loadOlderPage();
        return;
    }
    m_wantOlder = false;
    if (!m_dirty && m_loaded
        && (!m_changedSeqs.isEmpty() || m_changedDetails || m_changedMembers)) {
        readChanges();
        return;
    }
    if (!m_dirty && !m_loaded && (!m_changedSeqs.isEmpty() || m_changedDetails)) {
        m_dirty = true; // before the first page, a change is just a reason to read it
    }
    if (!m_dirty)
        return;
    // A full read brings every change asked for meanwhile.
    m_changedSeqs.clear();
    m_changedDetails = false;
    m_changedMembers = false;
    m_dirty = false;
    m_busy = true;
    const qint64 conversation = m_conversation;
    const qint64 me = m_client.userId();
    const std::optional<local::Seq> from = windowStart();
    const int limit = from ? int(m_rows.size()) + kRefreshMargin : m_pageSize;
    auto read = m_client.reader().read<Snapshot>([=](QSqlDatabase &db) -> Result<Snapshot> {
        auto messages = from ? local::messagesFrom(db, conversation, *from, limit)
                             : local::messages(db, conversation, 0, limit);
        if (!messages)
            return messages.error();
        auto details = local::conversation(db, conversation, me);
        if (!details)
            return details.error();
        auto users = local::users(db);
        if (!users)
            return users.error();
        return Snapshot{std::move(*messages), std::move(*details), std::move(*users)};
    });
    read.then(this, [this, from, limit](const Result<Snapshot> &snapshot) {
        m_busy = false;
        if (snapshot) {
            m_details = snapshot->details;
            m_names.reset(snapshot->users);
            QList<Row> rows;
            rows.reserve(snapshot->messages.size());
            for (const local::Message &message : snapshot->messages)
                rows.append(makeRow(message));
            if (!from)
                m_atStart = reachesStart(snapshot->messages, limit);
            m_loaded = true;
            replaceRows(
                m_rows, rows, [](const Row &row) { return row.message.id; }, &same);
            Q_EMIT refreshed();
        }
        next();
    });
}

void MessageListModel::loadOlderPage()
{
    const std::optional<local::Seq> before = windowStart();
    if (!before || *before <= 0) {
        // Nothing comes before seq 1; a window of queued messages only pages no further
        // (each refresh reads the newest page again).
        m_atStart = true;
        Q_EMIT olderLoaded();
        next();
        return;
    }
    m_busy = true;
    const qint64 conversation = m_conversation;
    const int limit = m_pageSize;
    auto read = m_client.reader().read<QList<local::Message>>(
        [=](QSqlDatabase &db) { return local::messages(db, conversation, *before, limit); });
    read.then(this, [this, before, limit](const Result<QList<local::Message>> &older) {
        m_busy = false;
        if (older && before == windowStart()) {
            m_atStart = reachesStart(*older, limit);
            if (!older->isEmpty()) {
                beginInsertRows({}, 0, int(older->size()) - 1);
                QList<Row> rows;
                rows.reserve(older->size() + m_rows.size());
                for (const local::Message &message : *older)
                    rows.append(makeRow(message));
                rows.append(m_rows);
                m_rows = std::move(rows);
                endInsertRows();
            }
        }
        Q_EMIT olderLoaded();
        next();
    });
}

std::optional<local::Seq> MessageListModel::windowStart() const
{
    for (const Row &row : m_rows) {
        if (row.message.seq)
            return row.message.seq;
        if (row.message.afterSeq)
            return row.message.afterSeq;
    }
    return std::nullopt;
}

int MessageListModel::rowOfSeq(local::Seq seq) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).message.seq == seq)
            return row;
    }
    return -1;
}

void MessageListModel::markSeenUpTo(int row)
{
    if (row < 0 || row >= m_rows.size())
        return;
    for (int at = row; at >= 0; --at) {
        if (const auto seq = m_rows.at(at).message.seq) {
            if (*seq > m_details.readSeq)
                m_client.outbox().markRead(m_conversation, *seq);
            return;
        }
    }
}

QString MessageListModel::describeEvent(const local::Message &message) const
{
    namespace kinds = messages::kinds;
    const QString &kind = message.kind;
    if (kind == kinds::kMessage)
        return {};
    if (kind == local::kinds::kKeyChanged)
        return tr("%1's safety number has changed.").arg(m_names.of(message.senderId));
    if (!messages::isMembershipKind(kind))
        return tr("Something happened here that this version of Tidings cannot show");
    // The relay sends none that does not decode; one that did not changed nothing here
    // (applyMembership) and is told with blanks.
    const auto decoded = messages::MembershipChange::decode(kind, message.body);
    const messages::MembershipChange change = decoded ? *decoded : messages::MembershipChange{};
    // Own actions have sentences of their own: "You" does not take the verb form a name does
    // in every language.
    const bool mine = message.senderId == m_client.userId();
    const QString who = m_names.of(message.senderId);
    auto namesOf = [this](const QList<qint64> &ids) {
        QStringList names;
        for (const qint64 id : ids)
            names.append(m_names.of(id));
        return names.join(tr(", "));
    };
    if (kind == kinds::kCreated) {
        const QString &title = change.title;
        if (title.isEmpty())
            return mine ? tr("You started the conversation")
                        : tr("%1 started the conversation").arg(who);
        return mine ? tr("You created the group “%1”").arg(title)
                    : tr("%1 created the group “%2”").arg(who, title);
    }
    if (kind == kinds::kMemberAdded) {
        const QString added = namesOf(change.users);
        return mine ? tr("You added %1").arg(added) : tr("%1 added %2").arg(who, added);
    }
    if (kind == kinds::kMemberRemoved) {
        const qint64 user = change.user;
        if (user == m_client.userId())
            return tr("%1 removed you").arg(who);
        return mine ? tr("You removed %1").arg(m_names.of(user))
                    : tr("%1 removed %2").arg(who, m_names.of(user));
    }
    if (kind == kinds::kMemberLeft) {
        const qint64 user = change.user;
        return user == m_client.userId() ? tr("You left the group")
                                         : tr("%1 left the group").arg(m_names.of(user));
    }
    if (kind == kinds::kRenamed) {
        const QString &title = change.title;
        return mine ? tr("You renamed the group to “%1”").arg(title)
                    : tr("%1 renamed the group to “%2”").arg(who, title);
    }
    // The last membership kind: role_changed.
    const QString user = m_names.of(change.user);
    if (change.role == u"owner")
        return mine ? tr("You made %1 the owner").arg(user)
                    : tr("%1 made %2 the owner").arg(who, user);
    if (change.role == u"admin")
        return mine ? tr("You made %1 an admin").arg(user)
                    : tr("%1 made %2 an admin").arg(who, user);
    return mine ? tr("You made %1 a member").arg(user) : tr("%1 made %2 a member").arg(who, user);
}

MessageListModel::Row MessageListModel::makeRow(const local::Message &message) const
{
    Row row;
    row.message = message;
    row.shown = ShownMessage::of(message.body);
    setTicks(row);
    return row;
}

void MessageListModel::setTicks(Row &row) const
{
    const local::Message &message = row.message;
    row.state = State::Sent;
    row.readBy = 0;
    if (message.state == u"queued")
        row.state = State::Queued;
    else if (message.state == u"failed")
        row.state = State::Failed;
    if (!message.seq || message.senderId != m_client.userId())
        return;
    int others = 0;
    int delivered = 0;
    for (const local::Member &member : m_details.members) {
        if (member.userId == message.senderId)
            continue;
        ++others;
        if (member.deliveredSeq >= *message.seq || member.readSeq >= *message.seq)
            ++delivered;
        if (member.readSeq >= *message.seq)
            ++row.readBy;
    }
    // Ticks as in the groups people know: ✓✓ when everyone has it, read when everyone
    // read it; "read by N of M" comes from ReadByRole.
    if (others > 0 && row.readBy == others)
        row.state = State::Read;
    else if (others > 0 && delivered == others)
        row.state = State::Delivered;
}

bool MessageListModel::same(const Row &a, const Row &b)
{
    const local::Message &x = a.message;
    const local::Message &y = b.message;
    return a.state == b.state && a.readBy == b.readBy && x.seq == y.seq && x.body == y.body
        && x.senderId == y.senderId && x.createdAt == y.createdAt && x.error == y.error
        && x.state == y.state && x.kind == y.kind && x.afterSeq == y.afterSeq
        && (x.failedChange ? x.failedChange->key + x.failedChange->error : QString())
        == (y.failedChange ? y.failedChange->key + y.failedChange->error : QString());
}

} // namespace tidings::app
