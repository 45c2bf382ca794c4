#include "models/shown_message.h"

namespace tidings::app {

ShownMessage ShownMessage::of(const QJsonObject &body)
{
    ShownMessage shown;
    if (auto state = protocol::messages::MessageState::decode(body)) {
        shown.state = std::move(*state);
        shown.attachments = MessageAttachment::listOf(shown.state.attachments);
    }
    const QJsonValue sealing = body.value(u"e2e");
    if (sealing.toString() == u"waiting")
        shown.sealing = Sealing::Waiting;
    else if (sealing.toString() == u"failed")
        shown.sealing = Sealing::Failed;
    else if (sealing.toBool())
        shown.sealing = Sealing::Opened;
    return shown;
}

} // namespace tidings::app
