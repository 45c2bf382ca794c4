#pragma once

#include <QByteArray>
#include <QString>

namespace tidings::test {

/// A SHA-256 over the names and contents of the files directly in `path` (hidden ones too):
/// equal fingerprints before and after mean nothing in the directory changed.
QByteArray directoryFingerprint(const QString &path);

} // namespace tidings::test
