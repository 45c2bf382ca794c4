#include "support/test_account.h"

#include <QJsonObject>

namespace tidings::test {

TestAccount::Headers TestAccount::auth(Headers more) const
{
    more.prepend({"Authorization", "Bearer " + token.toLatin1()});
    return more;
}

TestAccount TestAccount::signUp(const QUrl &url, const QString &name)
{
    TestAccount account;
    account.name = name;
    if (!account.client->open(url))
        return account;
    const QJsonObject result = account.client->registerUser(name);
    account.id
        = result.value(QStringLiteral("user")).toObject().value(QStringLiteral("id")).toInteger();
    account.token = result.value(QStringLiteral("token")).toString();
    return account;
}

} // namespace tidings::test
