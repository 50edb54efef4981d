// Conversations in SQLite: the conversation, the channel bindings that reach it, and its
// numbered events. A batch of writes is one transaction. The events are an append-only log:
// a batch's events go where the newest rows are, so a commit rewrites a page or two of them
// whatever the number of conversations it touches, and each event points back to the one
// before it in its conversation. The conversation row keeps the number of its newest event
// and where it is: a turn moves that number on only from the one its writer saw, so a second
// writer with a stale view gets a conflict and writes nothing.
// A batch has the same two phases as in the PostgreSQL store: BEGIN IMMEDIATE takes the
// database's write lock (the whole file: every row at once), then each write is checked
// (its key's binding, its number) and applied only when it still follows on.
// Three connections: one writes, one reads (WAL lets reads go on while a batch commits),
// and one checkpoints: a background thread copies the WAL back into the database file, so
// the fsyncs a checkpoint needs never stall the writer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "dialogue/session_store.hpp"
#include "knowledge/sqlite/database.hpp"

namespace advisor::storage {

class sqlite_session_store final : public dialogue::session_store {
 public:
  explicit sqlite_session_store(const std::string& db_path);
  ~sqlite_session_store() override;
  sqlite_session_store(const sqlite_session_store&) = delete;
  sqlite_session_store& operator=(const sqlite_session_store&) = delete;

  std::optional<dialogue::conversation_record> find(const dialogue::channel_key& key) override;
  std::vector<dialogue::write_status> apply(const std::vector<dialogue::write_op>& writes) override;
  bool writable() override;
  bool turn_stored(const dialogue::channel_key& key, const std::string& token) override;
  // On the writer connection, between two batches of turns (it takes the same lock).
  dialogue::expired_conversations expire_idle(std::chrono::system_clock::time_point idle_before,
                                              std::size_t limit) override;
  std::string keep_framework(const std::string& id, const std::string& version,
                             const std::string& document) override;
  std::optional<std::string> framework_document(const std::string& id,
                                                const std::string& version) override;

  // Copies the whole database to `file` with SQLite's online backup API while others keep
  // reading and writing.
  void backup_to(const std::string& file);

 private:
  std::mutex mutex_;  // guards db_ and the writing statements
  connection db_;
  statement insert_conversation_;
  statement bind_key_;
  statement find_last_event_;
  statement claim_seq_;        // the claim, with the time of the conversation's last change
  statement claim_seq_quiet_;  // the claim alone: that time was written this minute
  statement next_id_;
  statement insert_event_;
  statement find_idle_;
  statement find_bindings_;
  statement delete_events_;
  statement delete_bindings_;
  statement delete_conversation_;
  statement find_bound_;    // the conversation a key is bound to (compare-and-set, checks)
  statement read_seq_;      // a conversation's number (checks)
  statement insert_token_;  // a turn's token, when its caller set one (turn_stored)
  // Conversation -> its number and its newest event's id after this writer's last turn on it,
  // so that a turn need not read where its conversation's log ends (used only while the
  // number still matches, which the claim checks), and the minute this writer last wrote its
  // `updated_at`. Cleared when a batch fails.
  struct last_event {
    std::uint64_t seq = 0;
    std::int64_t event = 0;
    std::int64_t touched_minute = -1;  // minutes since the epoch
  };
  std::unordered_map<std::string, last_event> last_events_;
  static constexpr std::size_t remembered_conversations = 1 << 16;
  // What this writer knows of the database as its last batch of turns committed it: the keys'
  // bindings it read or wrote (a key bound to none: no conversation) and the log's next id
  // (0: unknown). Trusted only while the data version (`known_version_`) is the one that
  // commit left, which it no longer is once any other commit, from this connection or
  // another one or process, has touched the file; forgotten then, and when a batch fails.
  struct key_hash {
    std::size_t operator()(const dialogue::channel_key& k) const noexcept;
  };
  struct key_equal {
    bool operator()(const dialogue::channel_key& a, const dialogue::channel_key& b) const noexcept {
      return a.key == b.key && a.channel == b.channel;
    }
  };
  std::unordered_map<dialogue::channel_key, std::optional<std::string>, key_hash, key_equal>
      known_bindings_;
  std::int64_t known_next_id_ = 0;
  std::optional<std::uint32_t> known_version_;
  void forget_known();

  std::mutex read_mutex_;  // guards read_db_ and the reading statements
  connection read_db_;
  statement find_binding_;
  statement find_conversation_;
  statement load_event_;
  statement find_token_;

  // The checkpointer: woken by the writer's WAL hook once the WAL holds enough pages.
  static int on_wal_commit(void* self, sqlite3*, const char*, int pages);
  void checkpoint_loop();
  connection checkpoint_db_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wake_;
  bool checkpoint_due_ = false;
  std::atomic<int> wal_pages_{0};  // frames in the WAL after the last commit (set by the hook)
  std::atomic<bool> restart_due_{false};  // a checkpoint has just copied a long WAL: restart it
  bool stopping_ = false;
  std::thread checkpointer_;
};

}  // namespace advisor::storage
