#pragma once

#include "core/local_queries.h"

#include <QCoreApplication>
#include <QHash>

namespace tidings::app {

/// The names the models show for users: display name, else username, else "Unknown user".
class UserNames
{
    Q_DECLARE_TR_FUNCTIONS(tidings::app::UserNames)

public:
    void reset(const QList<local::User> &users);
    QString of(qint64 user) const;

private:
    QHash<qint64, local::User> m_users;
};

} // namespace tidings::app
