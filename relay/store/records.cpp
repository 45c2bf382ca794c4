#include "store/records.h"

namespace tidings::relay {

using namespace Qt::StringLiterals;

QString roleName(Role role)
{
    switch (role) {
    case Role::Owner:
        return u"owner"_s;
    case Role::Admin:
        return u"admin"_s;
    case Role::Member:
        break;
    }
    return u"member"_s;
}

std::optional<Role> roleFromName(const QString &name)
{
    if (name == u"owner")
        return Role::Owner;
    if (name == u"admin")
        return Role::Admin;
    if (name == u"member")
        return Role::Member;
    return std::nullopt;
}

} // namespace tidings::relay
