#pragma once

#include "config/relay_config.h"
#include "util/result.h"

#include <QObject>

#include <memory>

namespace tidings::relay {

/// One relay node: the data directory, the store and the gateway, built from a config and
/// wired together. main.cpp and tests create it the same way.
class RelayServer : public QObject
{
    Q_OBJECT

public:
    explicit RelayServer(RelayConfig config, QObject *parent = nullptr);
    ~RelayServer() override;

    /// Locks the data directory, opens and migrates the store, then listens. Blocks until
    /// the store is open (startup only: nothing is served before). Returns the port.
    Result<quint16> start();

    /// Stops accepting, says goodbye to every session, closes the store. Idempotent.
    void stop();

private:
    /// The media API, its blob store and the sweep of unreferenced media.
    Result<void> startMedia();
    /// Push notifications: the providers configured and the jobs the store holds.
    Result<void> startPush();
    /// Retention: erases expired message content, a batch at a time.
    void expireOldContent();
    /// Deletes device inbox rows past inbox-retention-days, a batch at a time.
    void expireOldInbox();

    struct Services;
    RelayConfig m_config;
    std::unique_ptr<Services> m_services;
};

} // namespace tidings::relay
