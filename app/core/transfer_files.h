#pragma once

#include <QString>

#include <atomic>

namespace tidings::app {

/// The disk side of transfers: each of these reads or writes a whole file, so it runs on a
/// worker thread, and those that read a file through stop early when `stop` is set.

/// Where a download is written until it is verified: `path` + ".part".
QString partPathOf(const QString &path);

/// An upload's file, hashed before it is created on the relay.
struct HashedFile
{
    QString error; ///< it could not be read, or it changed while it was
    qint64 size = 0;
    QString sha256; ///< hex
};

HashedFile hashUpload(const QString &path, const std::atomic<bool> &stop);

/// Where a download goes on from.
struct PreparedPart
{
    QString error;
    qint64 offset = 0; ///< bytes the partial file keeps
    bool complete = false; ///< it holds them all already: verify it
};

/// Makes the partial file of a download to `path` of `size` bytes ready to be appended to:
/// created if missing, emptied if longer than the media (or removed first, `discard`).
PreparedPart preparePart(const QString &path, qint64 size, bool discard);

/// A downloaded file checked against its SHA-256 and, when right, kept under its name.
struct VerifiedPart
{
    enum class Verdict { Kept, Corrupt, Failed, Stopped };
    Verdict verdict = Verdict::Failed;
    QString error; ///< Failed: why
};

/// Checks the partial file of `path`; kept, it replaces `path`; corrupt, it is removed.
VerifiedPart verifyPart(const QString &path, const QString &sha256, const std::atomic<bool> &stop);

} // namespace tidings::app
