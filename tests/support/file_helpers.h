#pragma once

#include <QByteArray>
#include <QString>

namespace tidings::test {

/// A SHA-256 over the names and contents of the files directly in `path` (hidden ones too):
/// equal fingerprints before and after mean nothing in the directory changed.
QByteArray directoryFingerprint(const QString &path);

/// `size` pseudo-random bytes, the same for the same `seed`.
QByteArray randomBytes(qsizetype size, quint32 seed);

/// The SHA-256 of `bytes`, in lower-case hex.
QString sha256Hex(const QByteArray &bytes);

/// The SHA-256 of the file at `path`, in lower-case hex; empty when it cannot be read.
QString fileSha256(const QString &path);

/// Writes `bytes` to the file at `path`, replacing it. Returns `path`, or an empty string
/// when the file could not be written whole.
QString writeFile(const QString &path, const QByteArray &bytes);

} // namespace tidings::test
