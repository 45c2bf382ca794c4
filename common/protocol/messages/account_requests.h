#pragma once

// The requests about a connection and its account (docs/protocol.md, section 4: hello, ping,
// register, login, auth, logout, sessions.list, sessions.revoke_others, password.change,
// profile.update, users.search) as plain values: decode() checks a frame's fields and names
// the bad one, encode() gives the fields to send (without "type" and "id").
//
// Some of these carry secrets (passwords, a session token). They are held as sent, and
// nothing here writes them anywhere: there is no debug output for these types on purpose.
//
// What depends on more than the fields stays with the relay's handler: the version
// negotiation of hello, rate limits (register, login and auth are throttled before their
// fields are read), and a new password against the signed-in user's name.

#include "protocol/messages/limits.h"
#include "util/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace tidings::protocol::messages {

/// hello: the protocol versions the client speaks, and its name for the relay's logs.
struct Hello
{
    static constexpr char kType[] = "hello";
    static constexpr qsizetype kMaxVersions = 16;
    QList<qint64> versions;
    std::optional<QString> client;

    static Result<Hello> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const Hello &, const Hello &) = default;
};

/// ping: no fields.
struct Ping
{
    static constexpr char kType[] = "ping";

    static Result<Ping> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const Ping &, const Ping &) = default;
};

/// register: a new account and its first session. Decoded, `username` is canonical (lower
/// case), the password follows the password rules, and `displayName` is checked and
/// trimmed (the username as typed when none was given).
struct Register
{
    static constexpr char kType[] = "register";
    QString username;
    QString password;
    QString displayName; ///< to encode: empty sends none (the relay takes the username)
    QString device; ///< empty: none given

    static Result<Register> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const Register &, const Register &) = default;
};

/// login: `username` as typed (any case; the relay looks it up in lower case).
struct Login
{
    static constexpr char kType[] = "login";
    QString username;
    QString password;
    QString device; ///< empty: none given

    static Result<Login> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const Login &, const Login &) = default;
};

/// auth: resumes the session of `token`.
struct Auth
{
    static constexpr char kType[] = "auth";
    QString token;

    static Result<Auth> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const Auth &, const Auth &) = default;
};

/// logout: no fields.
struct Logout
{
    static constexpr char kType[] = "logout";

    static Result<Logout> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const Logout &, const Logout &) = default;
};

/// sessions.list: no fields.
struct ListSessions
{
    static constexpr char kType[] = "sessions.list";

    static Result<ListSessions> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const ListSessions &, const ListSessions &) = default;
};

/// sessions.revoke_others: no fields.
struct RevokeOtherSessions
{
    static constexpr char kType[] = "sessions.revoke_others";

    static Result<RevokeOtherSessions> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const RevokeOtherSessions &, const RevokeOtherSessions &) = default;
};

/// password.change. Only the shapes here: that the new password follows the rules
/// (protocol::checkPassword) needs the user's name, which the relay checks.
struct ChangePassword
{
    static constexpr char kType[] = "password.change";
    QString currentPassword;
    QString newPassword;

    static Result<ChangePassword> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const ChangePassword &, const ChangePassword &) = default;
};

/// profile.update: what is not given stays as it is. A display name decoded is checked and
/// trimmed; `groupAdds` is "everyone" or "contacts".
struct UpdateProfile
{
    static constexpr char kType[] = "profile.update";
    std::optional<QString> displayName;
    std::optional<bool> hideLastSeen;
    std::optional<QString> groupAdds;

    static Result<UpdateProfile> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const UpdateProfile &, const UpdateProfile &) = default;
};

/// users.search: users whose name starts with `prefix` (any case).
struct SearchUsers
{
    static constexpr char kType[] = "users.search";
    static constexpr int kDefaultLimit = 20;
    static constexpr int kMaxLimit = 50;
    QString prefix;
    std::optional<int> limit; ///< none: kDefaultLimit

    static Result<SearchUsers> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const SearchUsers &, const SearchUsers &) = default;
};

} // namespace tidings::protocol::messages
