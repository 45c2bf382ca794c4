#include "core/chat_client.h"

#include "core/core_logging.h"
#include "core/e2e_engine.h"
#include "core/local_store.h"
#include "core/message_attachment.h"
#include "core/sync_engine.h"
#include "e2e/store_crypto.h"
#include "protocol/messages/account_requests.h"
#include "protocol/messages/conversation_requests.h"
#include "protocol/messages/message_requests.h"
#include "protocol/messages/replies.h"
#include "util/futures.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

namespace tidings::app {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

/// Downloaded and sent files of one account live beside its database.
QString filesDirectoryFor(const QString &databasePath)
{
    const QFileInfo database(databasePath);
    return database.path() + u'/' + database.completeBaseName() + u".files"_s;
}

/// The reply to `request` (a protocol::messages value), decoded as Reply: a reply that does
/// not decode is an Error naming its field.
template<class Reply, class Request>
QFuture<Result<Reply>> ask(Connection &connection, QObject *context, const Request &request)
{
    return whenReady(connection.request(QString::fromLatin1(Request::kType), request.encode()),
                     context, [](const Result<QJsonObject> &reply) -> Result<Reply> {
                         if (!reply)
                             return reply.error();
                         return Reply::decode(*reply);
                     });
}

/// The outcome of `request`, whose result says nothing more than that it was done.
template<class Request>
QFuture<Result<void>> askDone(Connection &connection, QObject *context, const Request &request)
{
    return whenReady(connection.request(QString::fromLatin1(Request::kType), request.encode()),
                     context, [](const Result<QJsonObject> &reply) -> Result<void> {
                         if (!reply)
                             return reply.error();
                         return {};
                     });
}

} // namespace

ChatClient::ChatClient(const QString &databasePath, Connection::Options options, QObject *parent)
    : QObject(parent), m_store(std::make_unique<LocalStore>(databasePath)), m_connection(options),
      m_outbox(m_connection, *m_store),
      m_sync(std::make_unique<SyncEngine>(m_connection, *m_store, m_outbox)),
      m_e2e(std::make_unique<E2eEngine>(m_connection, *m_store, m_outbox)),
      m_transfers(*m_store, filesDirectoryFor(databasePath))
{
    connect(m_e2e.get(), &E2eEngine::opened, this,
            [this](qint64 conversation) { Q_EMIT m_sync->messagesChanged(conversation); });
    connect(m_e2e.get(), &E2eEngine::blockedByKeyChange, this, &ChatClient::keysChanged);
    connect(&m_connection, &Connection::stateChanged, this, &ChatClient::connectionStateChanged);
    connect(m_sync.get(), &SyncEngine::caughtUp, this, &ChatClient::caughtUp);
    connect(m_sync.get(), &SyncEngine::typingChanged, this, &ChatClient::typingChanged);
    connect(m_sync.get(), &SyncEngine::presenceChanged, this, &ChatClient::presenceChanged);
    connect(&m_connection, &Connection::signedIn, this, &ChatClient::signedIn);
    connect(&m_connection, &Connection::signedIn, this, [this] {
        const messages::ListBlocks list;
        whenReady(m_connection.request(QString::fromLatin1(list.kType), list.encode()), this,
                  [this](const Result<QJsonObject> &reply) {
                      if (!reply)
                          return;
                      const auto blocked = messages::UserList::decode(*reply);
                      if (!blocked)
                          return; // kept as it was; the next sign-in asks again
                      m_blocked.clear();
                      for (const messages::User &user : blocked->users)
                          m_blocked.insert(user.id);
                      Q_EMIT blocksChanged();
                  });
    });
    connect(&m_connection, &Connection::tokenChanged, this, [this](const QString &token) {
        m_transfers.setServer(m_server.httpUrl(), token.toLatin1());
    });
    connect(&m_transfers, &TransferManager::uploaded, this,
            [this](const QString &upload, const protocol::messages::MediaObject &media,
                   const SealedFile &sealed) {
                m_transfers.keepSentFile(upload, media.id);
                m_store
                    ->write<qint64>([upload, media, sealed](QSqlDatabase &db) {
                        return local::attachmentUploaded(db, upload, media, sealed);
                    })
                    .then(this, [this](const Result<qint64> &conversation) {
                        if (conversation && *conversation != 0) {
                            Q_EMIT m_outbox.changed(*conversation);
                            m_outbox.flush();
                        }
                    });
            });
    connect(&m_transfers, &TransferManager::failed, this,
            [this](const QString &upload, const QString &reason) {
                m_store
                    ->write<qint64>([upload, reason](QSqlDatabase &db) {
                        return local::attachmentFailed(db, upload, reason);
                    })
                    .then(this, [this](const Result<qint64> &conversation) {
                        if (conversation && *conversation != 0)
                            Q_EMIT m_outbox.changed(*conversation);
                    });
            });
}

ChatClient::~ChatClient()
{
    // Fail what waits on the network, finish what waits on the disk, and run the
    // continuations that queued up (whenReady's watchers are told through FutureCallOut
    // events) while every object they name still lives; what comes later is dropped with
    // its context.
    m_connection.stop();
    m_store->close();
    for (int round = 0; round < 8; ++round)
        QCoreApplication::sendPostedEvents(nullptr, QEvent::FutureCallOut);
}

QFuture<Result<int>> ChatClient::open()
{
    // The store key lives beside the session token (docs/encryption.md, section 8): in the
    // keychain, or the file the user chose. A token kept in memory only has no counterpart:
    // a store key forgotten at exit would leave the device's keys unreadable.
    if (!m_tokens || m_tokens->backend() == TokenStore::Backend::Memory || m_store->hasStoreKey())
        return openStore();
    const QString name = u"store-key:"_s + m_account;
    return whenReady(
               m_tokens->load(name), this,
               [this, name](const Result<QString> &kept) -> QFuture<Result<int>> {
                   if (!kept)
                       return readyFuture(Result<int>(kept.error()));
                   if (!kept->isEmpty()) {
                       auto key = tidings::e2e::StoreKey::fromBytes(
                           QByteArray::fromBase64(kept->toLatin1()));
                       if (!key)
                           return readyFuture(Result<int>(
                               Error{ErrorCode::Corrupt,
                                     tr("The key to the messages kept on this computer is "
                                        "damaged.")}));
                       m_store->setStoreKey(*key);
                       return openStore();
                   }
                   const tidings::e2e::StoreKey key = tidings::e2e::StoreKey::generate();
                   return whenReady(
                              m_tokens->save(
                                  name, QString::fromLatin1(key.view().toByteArray().toBase64())),
                              this,
                              [this, key](const Result<void> &saved) -> QFuture<Result<int>> {
                                  if (!saved)
                                      return readyFuture(Result<int>(saved.error()));
                                  m_store->setStoreKey(key);
                                  return openStore();
                              })
                       .unwrap();
               })
        .unwrap();
}

QFuture<Result<int>> ChatClient::openStore()
{
    // Who we are is known before any network: messages written offline carry it.
    return m_store->open()
        .then(this,
              [this](const Result<int> &opened) -> QFuture<Result<int>> {
                  if (!opened)
                      return readyFuture(opened);
                  m_transfers.restore(); // uploads and downloads an earlier run left
                  return m_store
                      ->read<QHash<QString, QString>>(
                          [](QSqlDatabase &db) { return local::accountValues(db); })
                      .then(this, [this, opened](const Result<QHash<QString, QString>> &account) {
                          if (account && account->contains(u"user_id"_s)
                              && m_connection.userId() == 0)
                              m_connection.setKnownUser(account->value(u"user_id"_s).toLongLong());
                          return opened;
                      });
              })
        .unwrap();
}

void ChatClient::start(const ServerAddress &server, const QString &token)
{
    m_server = server;
    if (!token.isEmpty())
        m_transfers.setServer(server.httpUrl(), token.toLatin1());
    m_connection.setServer(server);
    m_connection.setToken(token);
    m_connection.start();
}

void ChatClient::setTokenStore(TokenStore *tokens, const QString &account)
{
    if (m_tokens)
        disconnect(&m_connection, nullptr, this, nullptr);
    m_tokens = tokens;
    m_account = account;
    if (!tokens)
        return;
    connect(&m_connection, &Connection::tokenChanged, this, &ChatClient::keepToken);
    connect(&m_connection, &Connection::sessionEnded, this, [this] { keepToken({}); });
}

void ChatClient::keepToken(const QString &token)
{
    if (!m_tokens)
        return;
    whenReady(m_tokens->save(m_account, token), this, [this](const Result<void> &kept) {
        if (!kept) {
            qCWarning(lcAccount) << "session token not kept:" << kept.error().message;
            Q_EMIT tokenNotKept(kept.error().message);
        }
    });
}

QFuture<Result<bool>> ChatClient::resume(const ServerAddress &server)
{
    if (!m_tokens)
        return readyFuture(Result<bool>(ErrorCode::BadRequest, u"no token store was set"_s));
    return whenReady(m_tokens->load(m_account), this, [this, server](const Result<QString> &token) {
        if (!token)
            return Result<bool>(token.error());
        start(server, *token);
        return Result<bool>(!token->isEmpty());
    });
}

QString ChatClient::databasePathFor(const QString &directory, const QString &account)
{
    // Readable where it can be, unique always: the account with anything unusual in a
    // file name replaced, plus a short hash of the exact key.
    QString readable = account;
    for (QChar &character : readable) {
        if (!character.isLetterOrNumber() && character != u'.' && character != u'-'
            && character != u'@')
            character = u'_';
    }
    const QByteArray hash
        = QCryptographicHash::hash(account.toUtf8(), QCryptographicHash::Sha256).toHex().left(8);
    return QDir(directory).filePath(readable.left(80) + u'-' + QString::fromLatin1(hash)
                                    + u".sqlite"_s);
}

void ChatClient::stop()
{
    m_connection.stop();
}

LocalStore &ChatClient::store()
{
    return *m_store;
}

LocalReader ChatClient::reader()
{
    return LocalReader(*m_store);
}

SyncEngine &ChatClient::sync()
{
    return *m_sync;
}

void ChatClient::setEndToEnd(bool on)
{
    m_e2e->setEnabled(on);
}

QFuture<Result<local::e2e::Trust>> ChatClient::trust(qint64 user)
{
    const qint64 me = userId();
    return m_store
        ->read<local::e2e::Trust>(
            [me, user](QSqlDatabase &db) { return local::e2e::trustOf(db, me, user); })
        .deliveredTo(this);
}

QFuture<Result<QList<qint64>>> ChatClient::changedKeys()
{
    return m_store
        ->read<QList<qint64>>([](QSqlDatabase &db) { return local::e2e::changedIdentities(db); })
        .deliveredTo(this);
}

QFuture<Result<void>> ChatClient::acknowledgeKeyChange(qint64 user)
{
    return m_store
        ->write<bool>(
            [user](QSqlDatabase &db) { return local::e2e::acknowledgeIdentity(db, user); })
        .then(this, [this](const Result<bool> &done) -> Result<void> {
            if (!done)
                return done.error();
            m_outbox.flush();
            return {};
        });
}

QFuture<Result<void>> ChatClient::setVerified(qint64 user, bool verified)
{
    return m_store
        ->write<bool>([user, verified](QSqlDatabase &db) -> Result<bool> {
            if (auto marked = local::e2e::setVerified(db, user, verified); !marked)
                return marked.error();
            return true;
        })
        .then(this, [](const Result<bool> &done) -> Result<void> {
            if (!done)
                return done.error();
            return {};
        });
}

bool ChatClient::isSyncing() const
{
    return m_sync->isSyncing();
}

void ChatClient::setOwnTyping(qint64 conversation, bool typing)
{
    m_sync->setOwnTyping(conversation, typing);
}

QFuture<Result<void>> ChatClient::saveDraft(qint64 conversation, const QString &text)
{
    return m_store
        ->write<void>([conversation, text](QSqlDatabase &db) {
            return local::setDraft(db, conversation, text);
        })
        .future();
}

QFuture<Result<ChatClient::ConversationDetails>>
ChatClient::conversationDetails(qint64 conversation)
{
    return m_store
        ->read<ConversationDetails>(
            [conversation, me = userId()](QSqlDatabase &db) -> Result<ConversationDetails> {
                auto details = local::conversation(db, conversation, me);
                if (!details)
                    return details.error();
                auto users = local::users(db);
                if (!users)
                    return users.error();
                return ConversationDetails{*details, *users};
            })
        .future();
}

QFuture<Result<QList<local::Message>>> ChatClient::searchMessages(const QString &query, int limit)
{
    return m_store
        ->read<QList<local::Message>>(
            [query, limit](QSqlDatabase &db) { return local::search(db, query, limit); })
        .future();
}

QFuture<Result<messages::SignedIn>> ChatClient::registerAccount(const QString &username,
                                                                const QString &password,
                                                                const QString &displayName)
{
    // No display name sends none: the relay takes the username as typed.
    const messages::Register request{username, password, displayName, {}};
    return m_connection.signIn(QString::fromLatin1(request.kType), request.encode());
}

QFuture<Result<local::Message>> ChatClient::sendFiles(qint64 conversation, const QString &text,
                                                      const QList<OutgoingFile> &files)
{
    // End to end, every file goes up sealed, and the message that carries it (sealed too:
    // the same setting decides) gets its key when the upload is done.
    const bool seal = m_outbox.encrypting();
    QJsonArray attachments;
    for (const OutgoingFile &file : files) {
        MessageAttachment attachment;
        attachment.file.name = file.name.isEmpty() ? QFileInfo(file.path).fileName() : file.name;
        attachment.file.type = file.type;
        attachment.file.size = file.size;
        if (file.width > 0 && file.height > 0) {
            attachment.file.width = file.width;
            attachment.file.height = file.height;
        }
        attachment.file.durationMs = file.durationMs;
        attachment.file.thumbnail = file.thumbnail;
        attachment.upload = m_transfers.upload({file.path, file.type, attachment.file.name, seal});
        attachment.localPath = file.path;
        attachments.append(attachment.encode());
    }
    return m_outbox.send(conversation, text, 0, attachments);
}

QFuture<Result<messages::SignedIn>> ChatClient::logIn(const QString &username,
                                                      const QString &password)
{
    const messages::Login request{username, password, {}};
    return m_connection.signIn(QString::fromLatin1(request.kType), request.encode());
}

QFuture<Result<void>> ChatClient::logOut()
{
    // The relay ends this device with the session: its keys here go, and the store key
    // with them, first (docs/encryption.md, section 3).
    return whenReady(
               m_connection.signOut(), this,
               [this](const Result<void> &signedOut) -> QFuture<Result<void>> {
                   if (!signedOut)
                       return readyFuture(signedOut);
                   QFuture<Result<void>> forgotten
                       = m_tokens && m_tokens->backend() != TokenStore::Backend::Memory
                       ? m_tokens->remove(u"store-key:"_s + m_account)
                       : readyFuture(Result<void>());
                   return whenReady(
                              forgotten, this,
                              [this](const Result<void> &) -> QFuture<Result<void>> {
                                  return m_store
                                      ->write<bool>([](QSqlDatabase &db) -> Result<bool> {
                                          if (auto forgot = local::e2e::forgetDevice(db); !forgot)
                                              return forgot.error();
                                          return true;
                                      })
                                      .then(this,
                                            [](const Result<bool> &) { return Result<void>(); });
                              })
                       .unwrap();
               })
        .unwrap();
}

QFuture<Result<qint64>> ChatClient::storeConversationReply(QFuture<Result<QJsonObject>> reply)
{
    return whenReady(
               reply, this,
               [this](const Result<QJsonObject> &result) -> QFuture<Result<qint64>> {
                   if (!result)
                       return readyFuture(Result<qint64>(result.error()));
                   auto decoded = messages::ConversationDetails::decode(*result);
                   if (!decoded)
                       return readyFuture(Result<qint64>(decoded.error()));
                   m_sync->presence().query(decoded->users);
                   return m_store
                       ->write<qint64>(
                           [details = std::move(*decoded)](QSqlDatabase &db) -> Result<qint64> {
                               if (auto users = local::storeUsers(db, details.users); !users)
                                   return users.error();
                               if (auto stored = local::storeConversation(db, details.conversation);
                                   !stored)
                                   return stored.error();
                               return details.conversation.id;
                           })
                       .then(this, [this](const Result<qint64> &stored) {
                           // The relay tells the other members; this session learns
                           // from its reply alone, so its lists are told here.
                           if (stored)
                               Q_EMIT m_sync->conversationChanged(
                                   ConversationChange{*stored, {}, true, false});
                           return stored;
                       });
               })
        .unwrap();
}

QFuture<Result<void>> ChatClient::setBlocked(qint64 user, bool blocked)
{
    const auto request = blocked ? askDone(m_connection, this, messages::BlockUser{user})
                                 : askDone(m_connection, this, messages::UnblockUser{user});
    return whenReady(request, this, [this, user, blocked](const Result<void> &reply) {
        if (reply) {
            if (blocked)
                m_blocked.insert(user);
            else
                m_blocked.remove(user);
            Q_EMIT blocksChanged();
        }
        return reply;
    });
}

QFuture<Result<qint64>> ChatClient::openDirect(qint64 user)
{
    const messages::OpenDirect open{user};
    return storeConversationReply(
        m_connection.request(QString::fromLatin1(open.kType), open.encode()));
}

QFuture<Result<void>> ChatClient::changeGroup(const QString &type, const QJsonObject &fields)
{
    return whenReady(m_connection.request(type, fields), this,
                     [this](const Result<QJsonObject> &reply) -> QFuture<Result<void>> {
                         if (!reply)
                             return readyFuture(Result<void>(reply.error()));
                         // A change that made an entry answers with it (a leave may not).
                         const auto made = messages::EntryResult::decode(*reply);
                         if (!made)
                             return readyFuture(Result<void>());
                         return whenReady(m_sync->applyAnswered(made->event), this,
                                          [] { return Result<void>(); });
                     })
        .unwrap();
}

QFuture<Result<QList<messages::User>>> ChatClient::searchUsers(const QString &prefix)
{
    return whenReady(
        ask<messages::UserList>(m_connection, this, messages::SearchUsers{prefix, std::nullopt}),
        this, [](const Result<messages::UserList> &found) {
            if (!found)
                return Result<QList<messages::User>>(found.error());
            return Result<QList<messages::User>>(found->users);
        });
}

QFuture<Result<messages::User>> ChatClient::updateProfile(const messages::UpdateProfile &update)
{
    return whenReady(
        ask<messages::UserList>(m_connection, this, update), this,
        [this](const Result<messages::UserList> &updated) -> Result<messages::User> {
            if (!updated)
                return updated.error();
            if (updated->users.size() != 1)
                return Error{ErrorCode::Internal, u"the relay's answer names no one user"_s};
            m_connection.setUser(updated->users.first());
            return updated->users.first();
        });
}

QFuture<Result<qint64>> ChatClient::report(const messages::Report &report)
{
    return whenReady(ask<messages::ReportFiled>(m_connection, this, report), this,
                     [](const Result<messages::ReportFiled> &filed) {
                         if (!filed)
                             return Result<qint64>(filed.error());
                         return Result<qint64>(filed->report);
                     });
}

QFuture<Result<qint64>> ChatClient::createGroup(const QString &title, const QList<qint64> &members)
{
    const messages::CreateGroup create{title, members};
    return storeConversationReply(
        m_connection.request(QString::fromLatin1(create.kType), create.encode()));
}

} // namespace tidings::app
