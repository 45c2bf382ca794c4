#pragma once

#include "e2e/secret.h"
#include "util/result.h"

#include <QFileDevice>
#include <QMetaType>
#include <QString>

#include <optional>

namespace tidings::app {

/// A file as its readers need it: where it is and, for a file of a sealed media cache
/// (docs/encryption.md, section 8), the key that opens it. Without a key it is plaintext:
/// a cache kept without a store key, or the sender's own file.
struct CachedFile
{
    QString path;
    std::optional<e2e::SecretKey> key;

    bool isNull() const { return path.isEmpty(); }
    bool isSealed() const { return key.has_value(); }
};

/// The whole plaintext of `file`, in memory (pictures): NotFound when it is gone, TooLarge
/// over `maxBytes`, Corrupt when a sealed one does not open (altered, cut, another file's).
/// Wipe it (e2e::wipe) when done. Blocking: call it off the UI thread.
Result<QByteArray> readCachedFile(const CachedFile &file, qint64 maxBytes);

/// Writes the plaintext of `file` to `target` ("Save as…", "Open with…"), replacing what
/// was there, a chunk at a time; nothing is left at `target` when it fails (Corrupt: a
/// sealed one does not open). `permissions`, when given, are the new file's. Blocking.
Result<void> saveCachedFile(const CachedFile &file, const QString &target,
                            std::optional<QFileDevice::Permissions> permissions = std::nullopt);

} // namespace tidings::app

Q_DECLARE_METATYPE(tidings::app::CachedFile)
