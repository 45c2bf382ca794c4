#include "e2e/pairwise_session.h"

namespace tidings::e2e {

Result<OutboundSession> startSession(const SigningKeyPair &ourDeviceKey,
                                     const PreKeyBundle &theirBundle,
                                     QByteArrayView theirIdentityKey)
{
    auto initiation = x3dhInitiate(ourDeviceKey, theirBundle, theirIdentityKey);
    if (!initiation)
        return initiation.error();
    auto session = RatchetSession::initiate(initiation->keys, initiation->theirSignedPreKey);
    if (!session)
        return session.error();
    return OutboundSession{std::move(session).value(), initiation->header};
}

Result<InboundSession> acceptSession(const SigningKeyPair &ourDeviceKey,
                                     const SignedPreKey &ourSignedPreKey,
                                     const std::optional<OneTimePreKey> &ourOneTimePreKey,
                                     const PreKeyMessage &message, QByteArrayView theirDeviceKey)
{
    const auto keys = x3dhRespond(ourDeviceKey, ourSignedPreKey, ourOneTimePreKey, message.header,
                                  theirDeviceKey);
    if (!keys)
        return keys.error();
    auto session = RatchetSession::respond(*keys, ourSignedPreKey.keyPair);
    if (!session)
        return session.error();
    auto plaintext = session->decrypt(message.message);
    if (!plaintext)
        return plaintext.error();
    return InboundSession{std::move(session).value(), std::move(plaintext).value()};
}

} // namespace tidings::e2e
