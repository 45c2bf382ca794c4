// The app's local SQLite schema, one migration per version. Never edit a released
// migration: add a new one.
#include "sql/migrations.h"

#include <array>

namespace tidings::app {

namespace {

constexpr std::array kVersion1 = {
    // Who we are and where: server, user id, username, display name.
    "CREATE TABLE account (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",

    "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL, display_name TEXT NOT "
    "NULL)",

    "CREATE TABLE conversations ("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL,"
    " title TEXT NOT NULL DEFAULT '',"
    " last_seq INTEGER NOT NULL DEFAULT 0," // the newest seq the relay told of
    " synced_seq INTEGER NOT NULL DEFAULT 0," // every entry up to here is applied here
    " member_count INTEGER NOT NULL DEFAULT 0,"
    " my_role TEXT NOT NULL DEFAULT 'member',"
    " joined_seq INTEGER NOT NULL DEFAULT 1,"
    " left_seq INTEGER,"
    " delivered_seq INTEGER NOT NULL DEFAULT 0," // my cursors, as the relay has them
    " read_seq INTEGER NOT NULL DEFAULT 0,"
    " last_activity INTEGER NOT NULL DEFAULT 0,"
    " draft TEXT NOT NULL DEFAULT '')",

    "CREATE TABLE members ("
    " conversation_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " role TEXT NOT NULL DEFAULT 'member',"
    " delivered_seq INTEGER NOT NULL DEFAULT 0,"
    " read_seq INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (conversation_id, user_id)) WITHOUT ROWID",

    // Messages and system entries as the user sees them. A message the user sends exists
    // here (state 'queued', no seq) before the relay has it.
    "CREATE TABLE messages ("
    " id INTEGER PRIMARY KEY,"
    " conversation_id INTEGER NOT NULL,"
    " seq INTEGER,"
    " client_id TEXT,"
    " sender_id INTEGER NOT NULL,"
    " kind TEXT NOT NULL,"
    " body TEXT NOT NULL DEFAULT '{}'," // the entry's fields, current state
    " text TEXT NOT NULL DEFAULT ''," // what search finds
    " created_at INTEGER NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'sent' CHECK (state IN ('queued', 'sent', 'failed')),"
    " error TEXT NOT NULL DEFAULT '')",
    "CREATE UNIQUE INDEX messages_by_seq ON messages(conversation_id, seq) WHERE seq IS NOT NULL",
    "CREATE UNIQUE INDEX messages_by_client_id ON messages(sender_id, client_id) WHERE client_id "
    "IS NOT NULL",
    "CREATE INDEX messages_in_order ON messages(conversation_id, seq, id)",

    "CREATE VIRTUAL TABLE messages_search USING fts5(text, content='messages', content_rowid='id')",
    "CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN"
    " INSERT INTO messages_search(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN"
    " INSERT INTO messages_search(messages_search, rowid, text) VALUES ('delete', old.id, "
    "old.text); END",
    "CREATE TRIGGER messages_search_update AFTER UPDATE OF text ON messages BEGIN"
    " INSERT INTO messages_search(messages_search, rowid, text) VALUES ('delete', old.id, "
    "old.text);"
    " INSERT INTO messages_search(rowid, text) VALUES (new.id, new.text); END",

    // What still has to reach the relay, in order: sends, edits, deletes, reactions,
    // receipts. Each keeps its client id across retries and restarts.
    "CREATE TABLE outbox ("
    " id INTEGER PRIMARY KEY,"
    " key TEXT NOT NULL UNIQUE," // the client id, or 'receipt:<conversation>'
    " type TEXT NOT NULL," // the request's frame type
    " payload TEXT NOT NULL," // its fields
    " conversation_id INTEGER NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " error TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL)",
};

// A queued message found by its client id alone (its row may predate the app knowing its
// user id), without reading every message.
constexpr std::array kVersion2 = {
    "CREATE INDEX messages_queued_by_client_id ON messages(client_id) WHERE seq IS NULL",
};

// Uploads and downloads not finished yet (TransferManager), so a restart picks them up.
constexpr std::array kVersion3 = {
    "CREATE TABLE transfers ("
    " id TEXT PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK (kind IN ('upload', 'download')),"
    " path TEXT NOT NULL,"
    " media_id TEXT NOT NULL DEFAULT '',"
    " size INTEGER NOT NULL DEFAULT 0,"
    " sha256 TEXT NOT NULL DEFAULT '',"
    " type TEXT NOT NULL DEFAULT '',"
    " name TEXT NOT NULL DEFAULT '',"
    " paused INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL)",
};

// Optimistic changes that can be rolled back: a message keeps the state the relay last
// confirmed while changes of mine (edit, delete, reaction) wait in the outbox; the outbox
// row names the message it changes. A change the relay refuses comes off again.
constexpr std::array kVersion4 = {
    "ALTER TABLE messages ADD COLUMN confirmed_body TEXT", // NULL: no change waits on it
    "ALTER TABLE outbox ADD COLUMN target_seq INTEGER", // edit, delete, react: the message
    "CREATE INDEX outbox_changes ON outbox(conversation_id, target_seq) "
    "WHERE target_seq IS NOT NULL",
};

// End-to-end encryption (docs/encryption.md): this device's keys, the identities and
// devices it trusts, pairwise sessions, sender chains, what it opened, what waits for a
// key; outbox items sealed before they are sent, and sent only after the item they need.
constexpr std::array kVersion5 = {
    "CREATE TABLE e2e_self ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " user_id INTEGER NOT NULL,"
    " identity BLOB NOT NULL,"
    " device BLOB NOT NULL,"
    " signed_prekey BLOB NOT NULL,"
    " list_version INTEGER NOT NULL,"
    " next_prekey_id INTEGER NOT NULL)",
    "CREATE TABLE e2e_prekeys (id INTEGER PRIMARY KEY, secret BLOB NOT NULL)",
    "CREATE TABLE e2e_identities ("
    " user_id INTEGER PRIMARY KEY,"
    " identity_key BLOB NOT NULL," // trusted on first use, or acknowledged
    " list_version INTEGER NOT NULL DEFAULT 0,"
    " changed_key BLOB," // another identity key, not acknowledged yet
    " verified INTEGER NOT NULL DEFAULT 0,"
    " known INTEGER NOT NULL DEFAULT 1)", // 0: its devices changed, ask again
    "CREATE TABLE e2e_devices ("
    " user_id INTEGER NOT NULL,"
    " device_id INTEGER NOT NULL,"
    " device_key BLOB NOT NULL,"
    " PRIMARY KEY (user_id, device_id)) WITHOUT ROWID",
    "CREATE TABLE e2e_sessions ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL,"
    " device_id INTEGER NOT NULL,"
    " state BLOB NOT NULL,"
    " header BLOB," // the X3DH header, until the peer answers
    " used_at INTEGER NOT NULL)",
    "CREATE INDEX e2e_sessions_by_device ON e2e_sessions(user_id, device_id)",
    "CREATE TABLE e2e_chains_out ("
    " conversation_id INTEGER PRIMARY KEY,"
    " chain BLOB NOT NULL,"
    " first_chain BLOB," // as it was made: what a linked device reads its history with
    " created_at INTEGER NOT NULL)",
    "CREATE TABLE e2e_chain_holders ("
    " conversation_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " device_id INTEGER NOT NULL,"
    " PRIMARY KEY (conversation_id, user_id, device_id)) WITHOUT ROWID",
    "CREATE TABLE e2e_chains_in ("
    " conversation_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " device_id INTEGER NOT NULL,"
    " chain_id INTEGER NOT NULL,"
    " state BLOB NOT NULL,"
    " first_state BLOB," // as it was received: the history key a linked device is given
    " PRIMARY KEY (conversation_id, user_id, device_id, chain_id)) WITHOUT ROWID",
    "CREATE TABLE e2e_opened (digest BLOB PRIMARY KEY, payload TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE e2e_waiting ("
    " conversation_id INTEGER NOT NULL,"
    " seq INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " device_id INTEGER NOT NULL,"
    " chain_id INTEGER NOT NULL,"
    " entry TEXT NOT NULL,"
    " PRIMARY KEY (conversation_id, seq)) WITHOUT ROWID",
    "CREATE INDEX e2e_waiting_by_chain ON e2e_waiting(conversation_id, user_id, device_id, "
    "chain_id)",
    // The seq of the conversation's first encrypted entry (the relay's e2e_seq); 0: none.
    "ALTER TABLE conversations ADD COLUMN e2e_seq INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE outbox ADD COLUMN seal INTEGER NOT NULL DEFAULT 0", // 1: to seal; 2: sealed
    "ALTER TABLE outbox ADD COLUMN after_key TEXT", // sent once that item is gone
};

// The media cache sealed at rest (docs/encryption.md, section 8): the key of each cached
// file, itself sealed with the store key, by media id.
constexpr std::array kVersion6 = {
    "CREATE TABLE cache_keys (media_id TEXT PRIMARY KEY, file_key BLOB NOT NULL) WITHOUT ROWID",
};

// Signed prekeys replaced by a newer one, kept a while for the sessions started with them
// (docs/encryption.md, section 2); the secret sealed with the store key when there is one.
constexpr std::array kVersion7 = {
    "CREATE TABLE e2e_retired_prekeys (id INTEGER PRIMARY KEY, secret BLOB NOT NULL,"
    " retired_at INTEGER NOT NULL)",
};

// Entries this device keeps in a conversation by itself, never sent (a contact's safety
// number changed: docs/encryption.md, section 7). Such a row has no seq and no client id,
// so what looks for the relay's entries (by seq) or for queued messages (by client id)
// passes it by; it stands right after the entry at after_seq, the conversation's last seq
// when it was written.
constexpr std::array kVersion8 = {
    "ALTER TABLE messages ADD COLUMN after_seq INTEGER", // NULL: the relay's, or queued
    "CREATE INDEX messages_local ON messages(conversation_id, after_seq) "
    "WHERE after_seq IS NOT NULL",
};

constexpr std::array kMigrations = {
    Migration{1, "conversations, messages, outbox, search", kVersion1},
    Migration{2, "queued messages by client id", kVersion2},
    Migration{3, "transfers", kVersion3},
    Migration{4, "optimistic changes that can be rolled back", kVersion4},
    Migration{5, "end-to-end encryption", kVersion5},
    Migration{6, "keys of the sealed media cache", kVersion6},
    Migration{7, "retired signed prekeys", kVersion7},
    Migration{8, "local entries: a contact's safety number changed", kVersion8},
};

} // namespace

std::span<const Migration> localMigrations()
{
    return kMigrations;
}

} // namespace tidings::app
