#include "admin/admin_commands.h"

#include "admin/store_migration.h"
#include "crypto/password_hash.h"
#include "crypto/session_token.h"
#include "protocol/account_rules.h"
#include "store/account_queries.h"
#include "store/push_queries.h"
#include "store/report_queries.h"
#include "store/store.h"

#include <QDateTime>
#include <QDir>
#include <QLoggingCategory>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

constexpr int kDone = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

crypto::PasswordHashCost hashCost(PasswordCost cost)
{
    switch (cost) {
    case PasswordCost::Moderate:
        return crypto::PasswordHashCost::moderate();
    case PasswordCost::Minimum:
        return crypto::PasswordHashCost::minimum();
    case PasswordCost::Interactive:
        break;
    }
    return crypto::PasswordHashCost::interactive();
}

QString formatTime(qint64 ms)
{
    if (ms <= 0)
        return u"-"_s;
    return QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(u"yyyy-MM-dd HH:mm"_s);
}

class Admin
{
public:
    Admin(const AdminInvocation &invocation, const RelayConfig &config, FILE *in, FILE *out,
          FILE *err)
        : m_invocation(invocation), m_config(config), m_in(in), m_out(out), m_err(err)
    { }

    int run()
    {
        const QStringList &words = m_invocation.words;
        const QString command = words.mid(0, 2).join(u' ');
        const QStringList arguments = words.mid(2);
        if (command == u"user list" && arguments.isEmpty())
            return withStore([this](Store &store) { return listUsers(store); });
        if (command == u"report list" && arguments.isEmpty())
            return withStore([this](Store &store) { return listReports(store); });
        if (words == QStringList{u"migrate"_s})
            return migrate();
        if (words == QStringList{u"migrate-store"_s})
            return migrateStore();
        if (command == u"push dead" && arguments.isEmpty())
            return withStore([this](Store &store) { return listDeadPushes(store); });
        static const QStringList kUserCommands{u"user add"_s, u"user disable"_s, u"user enable"_s,
                                               u"user reset-password"_s};
        if (!kUserCommands.contains(command) || arguments.size() != 1)
            return usage();
        const auto username = protocol::canonicalUsername(arguments.first());
        if (!username)
            return fail(username.error().message);
        if (command == u"user add")
            return withStore([&](Store &store) { return addUser(store, *username); });
        if (command == u"user disable" || command == u"user enable") {
            const bool disable = command == u"user disable";
            return withStore([&](Store &store) { return setDisabled(store, *username, disable); });
        }
        return withStore([&](Store &store) { return resetPassword(store, *username); });
    }

private:
    int usage()
    {
        std::fprintf(m_err, "tidings-relay: error: unknown admin command '%s'\n%s",
                     qPrintable(m_invocation.words.join(u' ')), qPrintable(adminUsage()));
        return kUsage;
    }

    int fail(const QString &message)
    {
        std::fprintf(m_err, "tidings-relay: error: %s\n", qPrintable(message));
        return kFailed;
    }

    /// Brings the store's schema up to date and says where it stands.
    int migrate()
    {
        StoreLocation location;
        location.url = m_config.store;
        location.sqlitePath = m_config.dataDirectory + u"/tidings.db"_s;
        if (location.url.isEmpty() && !QDir().mkpath(m_config.dataDirectory))
            return fail(u"cannot create data directory %1"_s.arg(m_config.dataDirectory));
        auto opened = openStore(location);
        if (!opened)
            return fail(opened.error().message);
        const StoreInfo &info = opened->second;
        std::fprintf(m_out, "%s store %s is at schema version %d\n", qPrintable(info.backend),
                     qPrintable(info.location), info.schemaVersion);
        return kDone;
    }

    /// Copies the stopped embedded relay of the data directory into a cluster's stores.
    int migrateStore()
    {
        if (m_invocation.targetStore.isEmpty()) {
            std::fprintf(m_err,
                         "tidings-relay: error: migrate-store needs --to "
                         "postgresql://user@host:port/database\n%s",
                         qPrintable(adminUsage()));
            return kUsage;
        }
        StoreMigrationOptions options;
        options.dataDirectory = m_config.dataDirectory;
        options.targetStore = m_invocation.targetStore;
        options.targetMedia = m_config.media;
        options.pieceBytes = m_config.mediaChunkBytes;
        if (auto migrated = StoreMigration(options, m_out).run(); !migrated)
            return fail(migrated.error().message);
        return kDone;
    }

    template<typename Command> int withStore(Command command)
    {
        if (!QDir().mkpath(m_config.dataDirectory))
            return fail(u"cannot create data directory %1"_s.arg(m_config.dataDirectory));
        StoreLocation location;
        location.url = m_config.store;
        location.sqlitePath = m_config.dataDirectory + u"/tidings.db"_s;
        auto opened = openStore(location);
        if (!opened)
            return fail(opened.error().message);
        return command(*opened->first);
    }

    /// The password from stdin (--password-stdin), or a new random one that is printed.
    Result<QString> newPassword(const QString &username, bool *generated)
    {
        if (m_invocation.passwordFromStdin) {
            char line[2048] = {};
            if (!std::fgets(line, sizeof line, m_in))
                return Error{ErrorCode::BadRequest, u"no password on standard input"_s};
            QString password = QString::fromUtf8(line);
            while (password.endsWith(u'\n') || password.endsWith(u'\r'))
                password.chop(1);
            if (auto checked = protocol::checkPassword(password, username); !checked)
                return checked.error();
            *generated = false;
            return password;
        }
        *generated = true;
        return QString::fromLatin1(crypto::newSessionToken().left(20));
    }

    int addUser(Store &store, const QString &username)
    {
        const auto displayName = protocol::validDisplayName(
            m_invocation.displayName.isEmpty() ? username : m_invocation.displayName);
        if (!displayName)
            return fail(displayName.error().message);
        bool generated = false;
        const auto password = newPassword(username, &generated);
        if (!password)
            return fail(password.error().message);
        const auto hash = crypto::hashPassword(*password, hashCost(m_config.passwordCost));
        if (!hash)
            return fail(hash.error().message);
        const QString name = username;
        const QString display = *displayName;
        const QByteArray passwordHash = *hash;
        const auto user = waitFor(store.write<UserRecord>(
            [&](QSqlDatabase &db) { return sql::insertUser(db, name, display, passwordHash); }));
        if (!user)
            return fail(user.error().code == ErrorCode::Conflict
                            ? u"user %1 exists already"_s.arg(username)
                            : user.error().message);
        std::fprintf(m_out, "created user %s (id %lld)\n", qPrintable(user->username), user->id);
        if (generated)
            std::fprintf(m_out, "password: %s\n", qPrintable(*password));
        return kDone;
    }

    int listUsers(Store &store)
    {
        const auto users = waitFor(
            store.read<QList<UserRecord>>([](QSqlDatabase &db) { return sql::allUsers(db); }));
        if (!users)
            return fail(users.error().message);
        std::fprintf(m_out, "%-8s %-24s %-28s %-9s %-17s %s\n", "id", "username", "display name",
                     "status", "created", "last seen");
        for (const UserRecord &user : *users) {
            std::fprintf(
                m_out, "%-8lld %-24s %-28s %-9s %-17s %s\n", user.id, qPrintable(user.username),
                qPrintable(user.displayName), user.disabled ? "disabled" : "active",
                qPrintable(formatTime(user.createdAt)), qPrintable(formatTime(user.lastSeenAt)));
        }
        return kDone;
    }

    int listReports(Store &store)
    {
        using Named = QList<std::pair<sql::ReportRecord, QString>>;
        const auto reports = waitFor(store.read<Named>([](QSqlDatabase &db) -> Result<Named> {
            auto recent = sql::recentReports(db, 200);
            if (!recent)
                return recent.error();
            Named named;
            for (const sql::ReportRecord &report : *recent) {
                QString content;
                if (report.seq > 0) {
                    const auto body = sql::reportedContent(db, report.conversationId, report.seq);
                    if (body)
                        content = body->left(100);
                }
                named.append({report, content});
            }
            return named;
        }));
        if (!reports)
            return fail(reports.error().message);
        std::fprintf(m_out, "%-6s %-17s %-9s %-9s %-14s %s\n", "id", "filed", "reporter", "about",
                     "message", "reason");
        for (const auto &[report, content] : *reports) {
            const QString message
                = report.seq > 0 ? u"%1#%2"_s.arg(report.conversationId).arg(report.seq) : u"-"_s;
            const QString about = report.userId > 0 ? QString::number(report.userId) : u"-"_s;
            std::fprintf(m_out, "%-6lld %-17s %-9lld %-9s %-14s %s\n", report.id,
                         qPrintable(formatTime(report.createdAt)), report.reporterId,
                         qPrintable(about), qPrintable(message), qPrintable(report.reason));
            if (!content.isEmpty())
                std::fprintf(m_out, "       content: %s\n", qPrintable(content));
        }
        return kDone;
    }

    int listDeadPushes(Store &store)
    {
        const auto dead = waitFor(store.read<QList<sql::DeadPush>>(
            [](QSqlDatabase &db) { return sql::deadPushes(db, 200); }));
        if (!dead)
            return fail(dead.error().message);
        std::fprintf(m_out, "%-6s %-17s %-12s %-11s %-12s %-6s %-5s %s\n", "id", "given up", "user",
                     "provider", "conversation", "count", "tries", "last error");
        for (const sql::DeadPush &push : *dead) {
            std::fprintf(m_out, "%-6lld %-17s %-12s %-11s %-12lld %-6d %-5d %s\n", push.id,
                         qPrintable(formatTime(push.deadAt)), qPrintable(push.username),
                         qPrintable(push.provider), push.conversationId, push.count, push.attempts,
                         qPrintable(push.lastError));
        }
        return kDone;
    }

    int setDisabled(Store &store, const QString &username, bool disable)
    {
        const auto user = waitFor(store.write<UserRecord>(
            [&](QSqlDatabase &db) { return sql::setDisabled(db, username, disable); }));
        if (!user)
            return fail(user.error().code == ErrorCode::NotFound ? u"no user %1"_s.arg(username)
                                                                 : user.error().message);
        std::fprintf(m_out, "%s user %s%s\n", disable ? "disabled" : "enabled",
                     qPrintable(username), disable ? " and ended its sessions" : "");
        return kDone;
    }

    int resetPassword(Store &store, const QString &username)
    {
        bool generated = false;
        const auto password = newPassword(username, &generated);
        if (!password)
            return fail(password.error().message);
        const auto hash = crypto::hashPassword(*password, hashCost(m_config.passwordCost));
        if (!hash)
            return fail(hash.error().message);
        const QByteArray passwordHash = *hash;
        const auto ended
            = waitFor(store.write<QList<qint64>>([&](QSqlDatabase &db) -> Result<QList<qint64>> {
                  const auto credentials = sql::credentialsByUsername(db, username);
                  if (!credentials)
                      return credentials.error();
                  if (auto set = sql::setPasswordHash(db, credentials->user.id, passwordHash); !set)
                      return set.error();
                  return sql::deleteOtherSessions(db, credentials->user.id, 0);
              }));
        if (!ended)
            return fail(ended.error().code == ErrorCode::NotFound ? u"no user %1"_s.arg(username)
                                                                  : ended.error().message);
        std::fprintf(m_out, "reset the password of %s and ended %lld session(s)\n",
                     qPrintable(username), static_cast<long long>(ended->size()));
        if (generated)
            std::fprintf(m_out, "password: %s\n", qPrintable(*password));
        return kDone;
    }

    const AdminInvocation &m_invocation;
    const RelayConfig &m_config;
    FILE *m_in;
    FILE *m_out;
    FILE *m_err;
};

} // namespace

bool isAdminCommand(const QString &word)
{
    return word == u"user" || word == u"report" || word == u"push" || word == u"migrate"
        || word == u"migrate-store";
}

QString adminUsage()
{
    return u"Admin commands (they work while the relay runs, on the same --data-dir):\n"
           "  tidings-relay user add NAME [--display-name TEXT] [--password-stdin]\n"
           "  tidings-relay user list\n"
           "  tidings-relay user disable NAME     (also ends the user's sessions)\n"
           "  tidings-relay user enable NAME\n"
           "  tidings-relay user reset-password NAME [--password-stdin]\n"
           "  tidings-relay report list              (the newest 200 reports)\n"
           "  tidings-relay push dead                (the newest 200 pushes given up on)\n"
           "  tidings-relay migrate                  (create or upgrade the store's schema, and "
           "say\n"
           "                                          which it is; nodes refuse an older one)\n"
           "  tidings-relay migrate-store --to postgresql://… [--media s3://…]\n"
           "                                         (the relay on --data-dir must be stopped:\n"
           "                                          copies its store into an empty PostgreSQL\n"
           "                                          store in one transaction and its media\n"
           "                                          files to S3; the data directory is only\n"
           "                                          read. See docs/operations.md)\n"
           "Without --password-stdin a random password is made and printed.\n"_s;
}

int runAdminCommand(const AdminInvocation &invocation, const RelayConfig &config, FILE *in,
                    FILE *out, FILE *err)
{
    // A command's output is its result; the store's progress notes are for the relay's log.
    QLoggingCategory::setFilterRules(u"tidings.*.debug=false\ntidings.*.info=false"_s);
    return Admin(invocation, config, in, out, err).run();
}

} // namespace tidings::relay
