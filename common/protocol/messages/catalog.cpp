#include "protocol/messages/catalog.h"

#include "protocol/messages/account_requests.h"
#include "protocol/messages/conversation_requests.h"
#include "protocol/messages/device_inbox.h"
#include "protocol/messages/device_link.h"
#include "protocol/messages/events.h"
#include "protocol/messages/key_directory.h"
#include "protocol/messages/key_directory_replies.h"
#include "protocol/messages/message_requests.h"
#include "protocol/messages/push_requests.h"

namespace tidings::protocol::messages {

QStringList typedRequests()
{
    QStringList types;
    for (const char *type :
         {// message_requests.h
          SendMessage::kType, EditMessage::kType, DeleteMessage::kType, ReactToMessage::kType,
          Receipt::kType, Sync::kType, History::kType, Typing::kType, PresenceQuery::kType,
          Report::kType,
          // conversation_requests.h
          ListConversations::kType, GetConversation::kType, OpenDirect::kType, CreateGroup::kType,
          AddMembers::kType, RemoveMember::kType, LeaveGroup::kType, RenameGroup::kType,
          SetRole::kType, BlockUser::kType, UnblockUser::kType, ListBlocks::kType,
          // account_requests.h
          Hello::kType, Ping::kType, Register::kType, Login::kType, Auth::kType, Logout::kType,
          ListSessions::kType, RevokeOtherSessions::kType, ChangePassword::kType,
          UpdateProfile::kType, SearchUsers::kType,
          // push_requests.h
          RegisterPushTarget::kType, ListPushTargets::kType, RemovePushTarget::kType}) {
        types.append(QString::fromLatin1(type));
    }
    return types + keyDirectoryRequests() + deviceInboxRequests() + deviceLinkRequests();
}

QStringList typedEvents()
{
    QStringList types;
    for (const char *type : {LogEntry::kType, ReceiptEvent::kType, TypingEvent::kType,
                             PresenceEvent::kType, ResyncEvent::kType})
        types.append(QString::fromLatin1(type));
    return types + keyDirectoryEvents() + deviceInboxEvents() + deviceLinkEvents();
}

QStringList keyDirectoryRequests()
{
    QStringList types;
    for (const char *type :
         {PublishDevices::kType, RegisterDevice::kType, GetDevices::kType, RemoveDevice::kType,
          UploadPreKeys::kType, ClaimPreKeys::kType, CountPreKeys::kType}) {
        types.append(QString::fromLatin1(type));
    }
    return types;
}

QStringList keyDirectoryEvents()
{
    return {QString::fromLatin1(DevicesEvent::kType), QString::fromLatin1(PreKeysLowEvent::kType)};
}

QStringList deviceInboxRequests()
{
    return {QString::fromLatin1(SendToInbox::kType), QString::fromLatin1(FetchInbox::kType),
            QString::fromLatin1(AckInbox::kType)};
}

QStringList deviceInboxEvents()
{
    return {QString::fromLatin1(InboxMessage::kType)};
}

QStringList deviceLinkRequests()
{
    return {QString::fromLatin1(OfferLink::kType), QString::fromLatin1(FindLink::kType),
            QString::fromLatin1(AnswerLink::kType), QString::fromLatin1(CompleteLink::kType),
            QString::fromLatin1(CancelLink::kType)};
}

QStringList deviceLinkEvents()
{
    // The events carry what the requests of the same names do.
    return {QString::fromLatin1(AnswerLink::kType), QString::fromLatin1(CompleteLink::kType),
            QString::fromLatin1(CancelLink::kType)};
}

} // namespace tidings::protocol::messages
