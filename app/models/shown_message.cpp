#include "models/shown_message.h"

namespace tidings::app {

ShownMessage ShownMessage::of(const QJsonObject &body)
{
    ShownMessage shown;
    if (auto state = protocol::messages::MessageState::decode(body)) {
        shown.state = std::move(*state);
        shown.attachments = MessageAttachment::listOf(shown.state.attachments);
    }
    return shown;
}

} // namespace tidings::app
