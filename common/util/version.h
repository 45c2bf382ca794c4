#pragma once

#include <QString>

namespace tidings {

/// The product version every binary reports (--version, /healthz, the handshake).
inline QString productVersion()
{
    return QStringLiteral(TIDINGS_VERSION);
}

} // namespace tidings
