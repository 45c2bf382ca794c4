#pragma once

#include "store/records.h"

namespace tidings::relay {

class ChatCore;
class Session;

/// Sends a committed log entry to every live session of its recipients except `except`
/// (the session that asked for it gets the event in its reply instead). The frame is
/// encoded once, whatever the number of recipients. Duplicates (retries) are not sent.
void deliverEvent(ChatCore &core, const Appended &appended, const Session *except);
/// The same with the event already encoded (wire::eventJson(appended.event)).
void deliverEvent(ChatCore &core, const Appended &appended, const Session *except,
                  const QByteArray &eventJson);

} // namespace tidings::relay
