#include "models/e2e_status.h"

#include "core/chat_client.h"
#include "core/e2e_engine.h"
#include "protocol/messages/key_directory_replies.h"
#include "util/futures.h"

#include <algorithm>

namespace tidings::app {

namespace messages = protocol::messages;

E2eStatus::E2eStatus(ChatClient &client, QObject *parent) : QObject(parent), m_client(client)
{
    E2eEngine &engine = client.e2e();
    connect(&engine, &E2eEngine::stateChanged, this, &E2eStatus::changed);
    connect(&engine, &E2eEngine::linkRequested, this, &E2eStatus::linkRequested);
    connect(&engine, &E2eEngine::linkFinished, this, &E2eStatus::linkFinished);
}

E2eStatus::State E2eStatus::state() const
{
    switch (m_client.e2e().state()) {
    case E2eEngine::State::Off:
        return State::Off;
    case E2eEngine::State::SettingUp:
        return State::SettingUp;
    case E2eEngine::State::Ready:
        return State::Ready;
    case E2eEngine::State::NeedsLink:
        return State::NeedsLink;
    case E2eEngine::State::Failed:
        return State::Failed;
    }
    return State::Off;
}

QString E2eStatus::problem() const
{
    return m_client.e2e().problem();
}

bool E2eStatus::isEnabled() const
{
    return m_client.e2e().isEnabled();
}

bool E2eStatus::isRequired() const
{
    return m_client.e2e().isRequired();
}

QFuture<Result<QList<E2eStatus::Device>>> E2eStatus::devices()
{
    return whenReady(
        m_client.e2e().devices(), this,
        [](const Result<QList<messages::DeviceInfo>> &listed) -> Result<QList<Device>> {
            if (!listed)
                return listed.error();
            QList<Device> devices;
            for (const messages::DeviceInfo &info : *listed) {
                devices.append({info.id, info.name, QDateTime::fromMSecsSinceEpoch(info.createdAt),
                                info.lastSeenAt > 0
                                    ? QDateTime::fromMSecsSinceEpoch(info.lastSeenAt)
                                    : QDateTime(),
                                info.current});
            }
            std::stable_sort(devices.begin(), devices.end(), [](const Device &a, const Device &b) {
                if (a.current != b.current)
                    return a.current;
                return a.added < b.added;
            });
            return devices;
        });
}

QFuture<Result<void>> E2eStatus::removeDevice(quint32 id)
{
    return m_client.e2e().removeDevice(id);
}

QFuture<Result<QString>> E2eStatus::offerLink(const QString &password)
{
    return m_client.e2e().offerLink(password);
}

void E2eStatus::answerLinkRequest(bool approve)
{
    m_client.e2e().answerLinkRequest(approve);
}

void E2eStatus::cancelLink()
{
    m_client.e2e().cancelLink();
}

QFuture<Result<void>> E2eStatus::linkWithCode(const QString &code)
{
    return m_client.e2e().linkWithCode(code);
}

} // namespace tidings::app
