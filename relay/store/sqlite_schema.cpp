// The relay's SQLite schema, one migration per version. Never edit a released migration:
// add a new one. Times are milliseconds since the Unix epoch (UTC).
#include "sql/migrations.h"

#include <array>

namespace tidings::relay {

namespace {

constexpr std::array kVersion1 = {
    "CREATE TABLE relay_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
};

// Accounts, conversations and their event logs (see docs/architecture.md, "The store").
constexpr std::array kVersion2 = {
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY,"
    " username TEXT NOT NULL UNIQUE," // canonical: lower case
    " display_name TEXT NOT NULL,"
    " password_hash TEXT NOT NULL,"
    " disabled INTEGER NOT NULL DEFAULT 0,"
    " hide_last_seen INTEGER NOT NULL DEFAULT 0,"
    " last_seen_at INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL)",

    "CREATE TABLE sessions ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " token_digest BLOB NOT NULL UNIQUE," // BLAKE2b of the token; the token itself is never stored
    " device TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " last_used_at INTEGER NOT NULL)",
    "CREATE INDEX sessions_by_user ON sessions(user_id)",

    "CREATE TABLE conversations ("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK (kind IN ('direct', 'group')),"
    " title TEXT NOT NULL DEFAULT '',"
    " direct_key TEXT UNIQUE," // 'lowId:highId' for direct conversations
    " last_seq INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL)",

    // One row per member: receipts are cursors, not rows per message.
    "CREATE TABLE members ("
    " conversation_id INTEGER NOT NULL REFERENCES conversations(id),"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),"
    " joined_seq INTEGER NOT NULL," // first seq this member may see
    " left_seq INTEGER," // last seq visible after leaving; NULL while a member
    " delivered_seq INTEGER NOT NULL DEFAULT 0,"
    " read_seq INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (conversation_id, user_id)) WITHOUT ROWID",
    "CREATE INDEX members_by_user ON members(user_id, conversation_id)",

    // The conversation's log: messages and everything that happens to them or to the
    // conversation, each with its gap-free seq. A message row holds the message's current
    // state (edits, deletion and reactions are applied to it and also logged as events).
    "CREATE TABLE events ("
    " conversation_id INTEGER NOT NULL REFERENCES conversations(id),"
    " seq INTEGER NOT NULL,"
    " kind TEXT NOT NULL,"
    " sender_id INTEGER NOT NULL,"
    " client_id TEXT," // the sender's idempotency key
    " target_seq INTEGER," // edit, delete, reaction: the message they change
    " body TEXT NOT NULL DEFAULT '{}'," // kind-specific JSON
    " created_at INTEGER NOT NULL,"
    " PRIMARY KEY (conversation_id, seq)) WITHOUT ROWID",
    "CREATE UNIQUE INDEX events_by_client_id ON events(sender_id, client_id)"
    " WHERE client_id IS NOT NULL",

    "CREATE TABLE blocks ("
    " blocker_id INTEGER NOT NULL REFERENCES users(id),"
    " blocked_id INTEGER NOT NULL REFERENCES users(id),"
    " created_at INTEGER NOT NULL,"
    " PRIMARY KEY (blocker_id, blocked_id)) WITHOUT ROWID",

    "CREATE TABLE reports ("
    " id INTEGER PRIMARY KEY,"
    " reporter_id INTEGER NOT NULL REFERENCES users(id),"
    " user_id INTEGER,"
    " conversation_id INTEGER,"
    " seq INTEGER,"
    " reason TEXT NOT NULL,"
    " created_at INTEGER NOT NULL)",
};

// Retention walks the log by age.
constexpr std::array kVersion3 = {
    "CREATE INDEX events_by_time ON events(created_at)",
};

// Media: uploads and the messages that refer to them (docs/protocol.md, "Media").
constexpr std::array kVersion4 = {
    "CREATE TABLE media ("
    " id TEXT PRIMARY KEY," // relay-made, 32 hex digits; also the blob's name
    " owner_id INTEGER NOT NULL REFERENCES users(id),"
    " size INTEGER NOT NULL," // declared; verified at completion
    " type TEXT NOT NULL," // declared MIME type; the sniffed one once complete
    " sha256 TEXT NOT NULL," // declared, lower-case hex; verified at completion
    " name TEXT NOT NULL DEFAULT '',"
    " state TEXT NOT NULL CHECK (state IN ('uploading', 'complete', 'deleting')),"
    " refs INTEGER NOT NULL DEFAULT 0," // rows in media_refs
    " sent INTEGER NOT NULL DEFAULT 0," // 1 once a message referred to it
    " created_at INTEGER NOT NULL,"
    " completed_at INTEGER)",
    "CREATE INDEX media_by_owner ON media(owner_id)",
    "CREATE INDEX media_unreferenced ON media(created_at) WHERE refs = 0",

    "CREATE TABLE media_refs ("
    " media_id TEXT NOT NULL REFERENCES media(id),"
    " conversation_id INTEGER NOT NULL,"
    " seq INTEGER NOT NULL,"
    " PRIMARY KEY (media_id, conversation_id, seq)) WITHOUT ROWID",
    "CREATE INDEX media_refs_by_message ON media_refs(conversation_id, seq)",
};

// Push: devices' targets, the jobs waiting to be sent and those given up on
// (docs/protocol.md, "Push"; docs/architecture.md, "Push").
constexpr std::array kVersion5 = {
    "CREATE TABLE push_targets ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " provider TEXT NOT NULL," // webhook, unifiedpush, fcm, apns
    " address TEXT NOT NULL," // the device token, or the endpoint URL
    " device_key BLOB," // X25519 public key: payloads are sealed to it; NULL: plain
    " notify TEXT NOT NULL CHECK (notify IN ('all', 'direct_and_mentions', 'none')),"
    " created_at INTEGER NOT NULL,"
    " UNIQUE (provider, address))",
    "CREATE INDEX push_targets_by_user ON push_targets(user_id)",
    "CREATE INDEX push_targets_by_session ON push_targets(session_id)",

    // One unclaimed job per target collects a burst of messages (count): it is open, or
    // waiting to be retried. At due_at it is claimed (state 'sending', claimed_by the relay
    // run) and sent; a retry moves due_at on and unclaims it.
    "CREATE TABLE push_jobs ("
    " id INTEGER PRIMARY KEY,"
    " target_id INTEGER NOT NULL REFERENCES push_targets(id) ON DELETE CASCADE,"
    " state TEXT NOT NULL CHECK (state IN ('open', 'sending')),"
    " conversation_id INTEGER NOT NULL," // of the latest message
    " sender_id INTEGER NOT NULL," // of the latest message
    " count INTEGER NOT NULL,"
    " first_at INTEGER NOT NULL," // commit time of the first message
    " due_at INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " claimed_by TEXT,"
    " last_error TEXT NOT NULL DEFAULT '',"
    " job_key TEXT NOT NULL)", // the idempotency key providers see
    "CREATE UNIQUE INDEX push_jobs_unclaimed ON push_jobs(target_id) WHERE claimed_by IS NULL",
    "CREATE INDEX push_jobs_due ON push_jobs(due_at)",

    "CREATE TABLE push_dead ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL,"
    " provider TEXT NOT NULL,"
    " address TEXT NOT NULL," // shortened: enough to tell devices apart
    " conversation_id INTEGER NOT NULL,"
    " count INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL,"
    " last_error TEXT NOT NULL,"
    " first_at INTEGER NOT NULL,"
    " dead_at INTEGER NOT NULL,"
    " job_key TEXT NOT NULL)",
};

// A message deleted for everyone takes its edits' text with it: they are found by the
// message they change (edits only: messages, the hot path, stay out of this index).
constexpr std::array kVersion6 = {
    "CREATE INDEX events_edits ON events(conversation_id, target_seq) WHERE kind = 'edit'",
};

// Consent to groups, and a push address shared by accounts: "who may add me to a group"
// (everyone, or contacts: people who have written to me in a direct chat); one device
// signed in to several accounts registers the same address for each of them, and nobody
// can take another account's target away by registering its address (decision 41).
// SQLite cannot drop a UNIQUE constraint, so push_targets is rebuilt, and push_jobs with
// it (its foreign key must follow the table it points to).
constexpr std::array kVersion7 = {
    "ALTER TABLE users ADD COLUMN group_adds TEXT NOT NULL DEFAULT 'everyone'"
    " CHECK (group_adds IN ('everyone', 'contacts'))",

    "CREATE TABLE push_targets_7 ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " provider TEXT NOT NULL,"
    " address TEXT NOT NULL,"
    " device_key BLOB,"
    " notify TEXT NOT NULL CHECK (notify IN ('all', 'direct_and_mentions', 'none')),"
    " created_at INTEGER NOT NULL,"
    " UNIQUE (provider, address, user_id))",
    "INSERT INTO push_targets_7 (id, user_id, session_id, provider, address, device_key, notify,"
    " created_at) SELECT id, user_id, session_id, provider, address, device_key, notify,"
    " created_at FROM push_targets",
    "CREATE TABLE push_jobs_7 ("
    " id INTEGER PRIMARY KEY,"
    " target_id INTEGER NOT NULL REFERENCES push_targets_7(id) ON DELETE CASCADE,"
    " state TEXT NOT NULL CHECK (state IN ('open', 'sending')),"
    " conversation_id INTEGER NOT NULL,"
    " sender_id INTEGER NOT NULL,"
    " count INTEGER NOT NULL,"
    " first_at INTEGER NOT NULL,"
    " due_at INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " claimed_by TEXT,"
    " last_error TEXT NOT NULL DEFAULT '',"
    " job_key TEXT NOT NULL)",
    "INSERT INTO push_jobs_7 (id, target_id, state, conversation_id, sender_id, count, first_at,"
    " due_at, attempts, claimed_by, last_error, job_key) SELECT id, target_id, state,"
    " conversation_id, sender_id, count, first_at, due_at, attempts, claimed_by, last_error,"
    " job_key FROM push_jobs",
    "DROP TABLE push_jobs",
    "DROP TABLE push_targets",
    "ALTER TABLE push_targets_7 RENAME TO push_targets",
    "ALTER TABLE push_jobs_7 RENAME TO push_jobs",
    "CREATE INDEX push_targets_by_user ON push_targets(user_id)",
    "CREATE INDEX push_targets_by_session ON push_targets(session_id)",
    "CREATE UNIQUE INDEX push_jobs_unclaimed ON push_jobs(target_id) WHERE claimed_by IS NULL",
    "CREATE INDEX push_jobs_due ON push_jobs(due_at)",
};

// The key directory of end-to-end encryption (docs/encryption.md, sections 2 and 10): each
// user's identity key and signed device list as last published, the devices (one per
// session: a device goes with its session, its prekeys with it), each device's current
// signed prekey and its one-time prekeys. Ids that are u32 on the wire are checked here.
constexpr std::array kVersion8 = {
    "CREATE TABLE identities ("
    " user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
    " identity_key BLOB NOT NULL CHECK (length(identity_key) = 32)," // Ed25519
    " list BLOB NOT NULL," // the signed device list, as published
    " version INTEGER NOT NULL," // the list's; each publish raises it
    " updated_at INTEGER NOT NULL)",

    "CREATE TABLE devices ("
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " device_id INTEGER NOT NULL CHECK (device_id BETWEEN 1 AND 4294967295),"
    " session_id INTEGER NOT NULL UNIQUE REFERENCES sessions(id) ON DELETE CASCADE,"
    " key BLOB NOT NULL CHECK (length(key) = 32)," // Ed25519
    " certificate BLOB NOT NULL," // the identity's signature over the device
    " name TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " last_seen_at INTEGER NOT NULL,"
    " PRIMARY KEY (user_id, device_id)) WITHOUT ROWID",

    // One per device, replaced by each upload.
    "CREATE TABLE signed_prekeys ("
    " user_id INTEGER NOT NULL,"
    " device_id INTEGER NOT NULL,"
    " key_id INTEGER NOT NULL CHECK (key_id BETWEEN 0 AND 4294967295),"
    " key BLOB NOT NULL CHECK (length(key) = 32)," // X25519
    " signature BLOB NOT NULL," // the device key's
    " created_at INTEGER NOT NULL,"
    " PRIMARY KEY (user_id, device_id),"
    " FOREIGN KEY (user_id, device_id) REFERENCES devices(user_id, device_id)"
    " ON DELETE CASCADE) WITHOUT ROWID",

    // Each handed out once, deleted as it is.
    "CREATE TABLE one_time_prekeys ("
    " user_id INTEGER NOT NULL,"
    " device_id INTEGER NOT NULL,"
    " key_id INTEGER NOT NULL CHECK (key_id BETWEEN 0 AND 4294967295),"
    " key BLOB NOT NULL CHECK (length(key) = 32)," // X25519
    " PRIMARY KEY (user_id, device_id, key_id),"
    " FOREIGN KEY (user_id, device_id) REFERENCES devices(user_id, device_id)"
    " ON DELETE CASCADE) WITHOUT ROWID",
};

// The device inbox of end-to-end encryption (docs/encryption.md, section 4): a queue per
// recipient device, each row one ratchet message from another device. A device's counters:
// the last seq it was given and the seq up to which everything is gone (acked or expired),
// so the rows waiting are counted without a scan. A sender's results by client id make a
// retried inbox.send a duplicate. Both go with the device.
constexpr std::array kVersion9 = {
    "ALTER TABLE devices ADD COLUMN inbox_seq INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE devices ADD COLUMN inbox_gone INTEGER NOT NULL DEFAULT 0",

    "CREATE TABLE inbox ("
    " user_id INTEGER NOT NULL,"
    " device_id INTEGER NOT NULL,"
    " seq INTEGER NOT NULL,"
    " sender_id INTEGER NOT NULL," // no reference: a message outlives its sender's device
    " sender_device INTEGER NOT NULL,"
    " body BLOB NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " PRIMARY KEY (user_id, device_id, seq),"
    " FOREIGN KEY (user_id, device_id) REFERENCES devices(user_id, device_id)"
    " ON DELETE CASCADE)",
    "CREATE INDEX inbox_by_time ON inbox(created_at)",

    "CREATE TABLE inbox_sends ("
    " user_id INTEGER NOT NULL,"
    " device_id INTEGER NOT NULL,"
    " client_id TEXT NOT NULL,"
    " result BLOB NOT NULL," // the first answer, as sent
    " created_at INTEGER NOT NULL,"
    " PRIMARY KEY (user_id, device_id, client_id),"
    " FOREIGN KEY (user_id, device_id) REFERENCES devices(user_id, device_id)"
    " ON DELETE CASCADE)",
    "CREATE INDEX inbox_sends_by_time ON inbox_sends(created_at)",
};

// End-to-end encrypted messages (docs/encryption.md, section 9): the seq of a
// conversation's first encrypted entry, after which it takes no plaintext.
constexpr std::array kVersion10 = {
    "ALTER TABLE conversations ADD COLUMN e2e_seq INTEGER",
};

// Linking a new device (docs/encryption.md, section 3): a user's one open offer, from a
// session with a device, until the new device's session answers and the offering one
// completes it, or ten minutes pass. It goes with either session.
constexpr std::array kVersion11 = {
    "CREATE TABLE link_offers ("
    " id TEXT PRIMARY KEY," // 32 random hex digits
    " user_id INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,"
    " offer_session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " offer_device INTEGER NOT NULL,"
    " ephemeral BLOB NOT NULL CHECK (length(ephemeral) = 32)," // X25519 E_O
    " answer_session INTEGER REFERENCES sessions(id) ON DELETE CASCADE,"
    " created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL)",
};

constexpr std::array kMigrations = {
    Migration{1, "relay metadata", kVersion1},
    Migration{2, "accounts, conversations, events", kVersion2},
    Migration{3, "events by time", kVersion3},
    Migration{4, "media", kVersion4},
    Migration{5, "push", kVersion5},
    Migration{6, "edits by message", kVersion6},
    Migration{7, "group consent, push targets per account", kVersion7},
    Migration{8, "key directory", kVersion8},
    Migration{9, "device inbox", kVersion9},
    Migration{10, "encrypted conversations", kVersion10},
    Migration{11, "device link offers", kVersion11},
};

} // namespace

std::span<const Migration> sqliteMigrations()
{
    return kMigrations;
}

} // namespace tidings::relay
