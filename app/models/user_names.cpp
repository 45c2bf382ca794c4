#include "models/user_names.h"

namespace tidings::app {

void UserNames::reset(const QList<local::User> &users)
{
    m_users.clear();
    for (const local::User &user : users)
        m_users.insert(user.id, user);
}

QString UserNames::of(qint64 user) const
{
    const auto found = m_users.constFind(user);
    if (found == m_users.cend())
        return tr("Unknown user");
    return found->displayName.isEmpty() ? found->username : found->displayName;
}

} // namespace tidings::app
