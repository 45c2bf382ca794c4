#pragma once

#include "crypto/password_hash.h"

#include <QStringList>

#include <chrono>

namespace tidings::relay {

/// What the chat core is configured with (from RelayConfig; see docs/operations.md).
struct ChatOptions
{
    bool registrationOpen = true;
    crypto::PasswordHashCost passwordCost = crypto::PasswordHashCost::interactive();
    /// Password hashes computed at once; more wait, up to maxPendingPasswordHashes.
    int passwordHashThreads = 2;
    int maxPendingPasswordHashes = 64;

    qsizetype maxTextBytes = 64 * 1024;
    qsizetype maxCiphertextBytes = 160 * 1024;
    /// End-to-end encryption: what the relay takes (RelayConfig's e2e).
    enum class E2e { Off, Optional, Required };
    E2e e2e = E2e::Optional;
    int maxGroupMembers = 1000;
    int maxPageSize = 500;

    std::chrono::milliseconds heartbeatInterval{30000};
    std::chrono::milliseconds heartbeatTimeout{90000};
    std::chrono::milliseconds handshakeTimeout{30000};
    /// After hello (or signing out), until signed in: nothing unauthenticated lives longer.
    std::chrono::milliseconds signInTimeout{60000};
    /// A store session unused for this long is deleted (0: never).
    std::chrono::milliseconds sessionIdle = std::chrono::hours(24 * 90);

    /// Sessions used last before this time (ms since the epoch) have expired; 0 if none do.
    qint64 unusedSince(qint64 nowMs) const
    {
        return sessionIdle.count() > 0 ? nowMs - sessionIdle.count() : 0;
    }

    /// A WebSocket that sends an Origin header outside this list is closed ("*": any Origin
    /// is accepted); one without an Origin (a native client) is always kept.
    QStringList allowedOrigins;

    /// Sign-in attempts (register, login, auth) per IP address per minute.
    double signInsPerMinute = 30;
    /// Message writes (send, edit, delete, react) per user per second; bursts of twice that.
    double messagesPerSecond = 20;
    /// group.create and group.add per user and minute, in bursts of the same.
    double groupChangesPerMinute = 30;
    /// Typing updates per user per second; bursts of twice that.
    double typingPerSecond = 2;
    /// Frames of any kind per connection per second; bursts of twice that.
    double framesPerSecond = 100;

    /// Bytes a session may have waiting to be written before it counts as a slow reader
    /// and is disconnected.
    qint64 maxQueuedBytesPerSession = 8 * 1024 * 1024;
};

} // namespace tidings::relay
