// The bot service: takes one user action for a conversation, runs the engine, stores the
// resulting events, and says what to reply. Every channel (terminal, WebSocket, Slack,
// Discord) goes through it.
//
// How a turn runs:
//   - Turns for one channel key run one at a time, in the order they were submitted; turns
//     for different keys run in parallel. The service keeps each key's conversation record,
//     so a turn reads no history back.
//   - The engine decides on the submitting thread (or, for a turn that waited behind
//     another, on the thread that finished that one, once its commit is over). A turn that
//     changes nothing (help, why, a refused option) is answered at once. The web server
//     submits from its turn threads, never from its I/O thread.
//   - A turn with events to store waits for the next commit, which stores every turn waiting
//     in one transaction (group commit) and only then answers each of them. No turn is
//     acknowledged before its events are committed. Commits run one at a time: on the
//     service's writer thread, or, when a server sets a committer, on the server's turn
//     threads after the frames handed to them in that pass (see set_committer).
//   - A turn whose key's record is not in memory yet (the key's first turn since this
//     process started, or since its record was forgotten) is handed to the service's reader
//     thread, which reads the record (store.find: the store's own read connection), decides
//     the turn, and answers it or hands it to the commit. Reads never queue behind a commit:
//     while another process holds the database's write lock, a commit waits for it, but a
//     turn that writes nothing on another conversation is still answered.
//   - When the store says another writer moved a conversation on (sequence conflict), or
//     rebound the key, the record is read again and the turn decided again on the newer
//     history: never failed for it.
//   - With a networked store (PostgreSQL, shared by several instances), a turn that only reads
//     (a resume, the current question, a stale-button check, help) is answered once the next
//     commit has checked that the record it was decided on is still current; a new
//     conversation binds its key by compare-and-set; and commits always run on the writer
//     thread, never on a server's event loop (set_committer is then ignored).
//   - A conversation runs on the framework version it started on ("id@version" on its
//     record): the current one, or an older one read from the store's framework documents
//     (session_store::framework_document) and kept in a small cache. When its version cannot
//     be found, a turn changes nothing and says so (notice::framework_unavailable).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bot/service/history.hpp"
#include "bot/service/miss_memory.hpp"
#include "dialogue/engine.hpp"
#include "dialogue/session_store.hpp"

namespace advisor::bot {

using dialogue::channel_key;
using dialogue::session_store;

// What a channel gets back for one action.
struct turn {
  std::string conversation;  // the conversation id (not the channel's key)
  dialogue::outcome out;
  std::uint64_t seq = 0;              // events recorded so far; grows with every state change
  bool resumed = false;               // the action found an existing conversation
  std::vector<past_message> history;  // a resuming start with `history` set: what was said
};

// One user action.
struct request {
  enum class kind {
    start,    // fresh: a new conversation (on `framework`); otherwise resume the one bound to
              // the key (`text`, if any, is its next message) or start one when there is none
    message,  // free text; starts a conversation (with it as the opening) when there is none
    choose,   // a button or option id
    command,  // a typed action (a channel's button): `action`
    open,     // a channel's entry (slash command, bare mention), the same rule for every
              // channel: resume the key's conversation while it is asking (`text`, if any, is
              // its next message); start a new one (with `text` as the opening) when there is
              // none or it has finished
  };
  kind type = kind::message;
  std::string text;
  std::string option;
  dialogue::command action = dialogue::command::none;  // command
  // choose, command, start: what the button pressed was made for, the same stale-button rule
  // on every channel. When the key's conversation is another one than `expected_conversation`
  // (its id, or the end of it for a channel whose buttons cannot carry it all) or none, or it
  // is no longer at `expected_question`, nothing changes and out.notice is stale (with no
  // conversation bound: nothing is started). Empty: not checked.
  std::string expected_question;
  std::string expected_conversation;
  std::string framework;    // start: empty for the default
  bool fresh = false;       // start: replace the key's conversation with a new one
  bool must_exist = false;  // start: fail with unknown_session when the key has none
  bool history = false;     // start, resuming: also rebuild the earlier messages
  // Stored with the turn's events, if it has any (write_op::token): turn_stored(key, token)
  // then tells whether the turn was committed. Empty: the service's own (or none).
  std::string token;
};

struct result {
  enum class status {
    ok,               // `t` holds the turn
    unknown_session,  // must_exist was set and the key has no conversation
    failed,           // the turn could not be stored (nothing of it was kept): `failure`
  };
  status state = status::ok;
  turn t;
  std::string failure;
};

class service {
 public:
  // The first framework is the default; the others can be chosen when a conversation starts.
  service(std::vector<const dialogue::framework*> frameworks, const knowledge::knowledge_source& kb,
          session_store& store);
  service(const dialogue::framework& fw, const knowledge::knowledge_source& kb,
          session_store& store)
      : service(std::vector<const dialogue::framework*>{&fw}, kb, store) {}
  ~service();  // answers every turn submitted so far, then stops the reader and the writer
  service(const service&) = delete;
  service& operator=(const service&) = delete;

  // Runs one action; `done` is called exactly once with the result, either on this thread
  // before submit returns, or on the reader thread once the key's record is read (a turn that
  // writes nothing), or once the turn is committed, on the thread that committed it (the
  // writer's, or the committer's loop, which may be this thread again later).
  // `done` must not block (post the work elsewhere) and must not call the blocking calls
  // below. An unknown framework throws std::invalid_argument here.
  using done_fn = std::function<void(result)>;
  void submit(const channel_key& key, request r, done_fn done);

  // Blocking forms of submit, for threads that may wait (terminal, adapters' workers, tests);
  // never on the committer's loop, which could then not commit the turn waited for.
  // A turn that could not be stored throws std::runtime_error.
  // start: `fresh` forces a new conversation; otherwise resumes the key's conversation (the
  // opening text is its next message) or starts one.
  turn start(const channel_key& key, std::string_view opening_text = {}, bool fresh = false,
             std::string_view framework = {});
  turn message(const channel_key& key, std::string_view text);
  // When `expected_question` is not empty and the conversation is no longer at that question
  // (a stale button), nothing changes and out.notice is stale (request::expected_question).
  turn choose(const channel_key& key, std::string_view option,
              std::string_view expected_question = {});
  // Runs a typed action (a button's "why", "back", ...) on the key's conversation.
  turn command(const channel_key& key, dialogue::command action);
  // request::kind::open: resumes an unfinished conversation or starts a new one. The turn's
  // `resumed` says which.
  turn open(const channel_key& key, std::string_view text = {});
  // The conversation bound to this key, as it stands now, if any.
  std::optional<turn> current(const channel_key& key);
  result run(const channel_key& key, request r);

  // Whether a turn submitted with this request::token was committed to the conversation now
  // bound to `key` (a job finished again after its owner died: its turn is not decided twice).
  bool turn_stored(const channel_key& key, const std::string& token);

  // The Markdown decision record of the conversation bound to this key.
  std::optional<std::string> decision_record(const channel_key& key);

  // For tests: called on the thread that is about to run the engine for a turn, before it
  // does (a test can hold one conversation's turn there and watch the others go on). Set it
  // before the service is shared between threads.
  using decide_hook = std::function<void(const channel_key&, const request&)>;
  void set_decide_hook(decide_hook h) { decide_hook_ = std::move(h); }

  // Called after every turn that was decided (and stored), before its `done`.
  // Set it before the service is shared between threads; it must be cheap.
  using observer = std::function<void(const channel_key&, const turn&)>;
  void set_observer(observer o) { observer_ = std::move(o); }

  // The default framework's engine.
  const dialogue::engine& engine() const { return *engines_.front(); }
  // The frameworks on offer: id and title, the default first.
  std::vector<std::pair<std::string, std::string>> frameworks() const;
  bool has_framework(std::string_view id) const;

  // Where commits run. By default the service's own writer thread commits every waiting turn
  // as soon as it is woken. A server whose turn threads run an event loop can run them there
  // instead (never on the loop of its sockets): `post` queues a piece of work behind the work
  // that loop already has (e.g. asio::post), so every turn handed to it in one pass is
  // committed together and no other thread is woken.
  // Commits still run one at a time. Clear it (an empty function) before the loop stops;
  // turns still waiting then go to the writer thread.
  using committer = std::function<void(std::function<void()>)>;
  void set_committer(committer post);

  // Deletes the conversations last changed before `idle_before` (with their events and
  // bindings) through the store, `batch` at a time so that turns commit between batches,
  // until none is left; forgets what the service remembers of them. Safe beside turns: one
  // decided on a swept conversation conflicts, and its key then starts afresh. Returns how
  // many conversations went.
  std::size_t expire_idle(std::chrono::system_clock::time_point idle_before,
                          std::size_t batch = 100);

  // Blocks until every turn submitted so far has been answered (for a graceful stop).
  void drain() const;

  // Turns committed and commits made so far (for metrics and tests of the group commit).
  struct commit_stats {
    std::uint64_t turns = 0;
    std::uint64_t commits = 0;
    std::uint64_t largest_batch = 0;
    std::uint64_t longest_commit_us = 0;  // the slowest store apply, in microseconds
    std::uint64_t commits_over_5ms = 0;
  };
  commit_stats stats() const;

 private:
  // A channel key's state. Only the job that holds `busy` touches `rec` and `loaded`.
  struct slot {
    bool loaded = false;  // rec is what the store had (nullopt: no conversation)
    std::optional<dialogue::conversation_record> rec;
    dialogue::state now;  // the state rec's events lead to, kept so that no turn replays them
    bool busy = false;
    bool forget = false;  // swept while a turn held it: read the record again after that turn
    std::deque<std::pair<request, done_fn>> waiting;
  };
  struct job {
    channel_key key;
    std::string slot_key;
    slot* s = nullptr;
    request r;
    done_fn done;
    int attempts = 0;
    bool just_read = false;  // the record was read from the store for this very turn
    // Filled when the engine has decided and there is something to store.
    dialogue::write_op write;
    turn t;
  };
  struct stripe {
    std::mutex mutex;
    std::unordered_map<std::string, slot> slots;
  };
  static constexpr std::size_t stripes = 64;
  static constexpr std::size_t slots_per_stripe = 512;

  // Decides `j` if it can: answers it now (true), or leaves it with a write for the commit
  // (false, j.write set) or a read for the reader (false, j.write.conversation empty).
  bool decide(job& j, result& now);
  std::string turn_token(const request& r) const;
  // Runs a job as far as this thread can take it, then every job that waited behind it.
  void drive(std::unique_ptr<job> j);
  // Answers the job and takes the next one waiting on its key, if any.
  std::unique_ptr<job> finish(std::unique_ptr<job> j, result r);
  // Hands a job that decide() left undecided to the reader (its record to read) or to the
  // commit (its write).
  void enqueue(std::unique_ptr<job> j);
  void writer_loop();
  // The reader thread: reads the records of the jobs handed to it, decides them, and answers
  // them or hands them to the commit. Never waits for a commit.
  void reader_loop();
  // Reads j's record and decides it; true when answered (`now`), false when it has a write.
  bool load_and_decide(job& j, result& now);
  // queue_mutex_ held: nothing is left to read or commit and nothing is being read or
  // committed (the reader and the writer may stop).
  bool all_done() const;
  void after_commit();  // ends a commit: posts the next flush or wakes the writer
  void take_batch(std::vector<std::unique_ptr<job>>& batch);  // queue_mutex_ held
  // Commits what is waiting, on the committer's loop.
  void flush();
  // queue_mutex_ held: the committer to post a flush to, when one is due and none is queued
  // or running (marks it queued); empty otherwise.
  committer claim_flush();
  void post_flush(const committer& post);
  // Commits a batch and answers it; returns the jobs that waited behind the answered ones,
  // to be driven once the commit is over (so a slow turn never holds up the next commit).
  std::vector<std::unique_ptr<job>> commit_batch(std::vector<std::unique_ptr<job>>& batch);
  void drive_all(std::vector<std::unique_ptr<job>> next);
  stripe& stripe_for(const std::string& slot_key);
  // The engine of the framework a conversation was started on ("id@version", or "id": the
  // current version): a current one, or an older version loaded from the store; null when
  // that version cannot be found.
  std::shared_ptr<const dialogue::engine> engine_for(std::string_view framework) const;
  // The current engine of a framework id (empty or unknown: the default).
  const dialogue::engine& current_engine(std::string_view id) const;

  std::vector<std::unique_ptr<dialogue::engine>> engines_;
  const knowledge::knowledge_source& kb_;
  // Older framework versions, loaded on demand, the most recently used first. A turn holds
  // its engine while it runs, so one dropped from the cache meanwhile stays alive.
  struct older_engine {
    older_engine(dialogue::framework f, const knowledge::knowledge_source& kb)
        : fw(std::move(f)), eng(fw, kb) {}
    dialogue::framework fw;
    dialogue::engine eng;
  };
  static constexpr std::size_t older_engines = 8;
  // Versions stored nowhere: every turn of such a conversation would ask the store again. One
  // stored meanwhile (by an instance that ships it) is found once the miss is forgotten.
  static constexpr std::size_t missing_versions = 64;
  static constexpr auto missing_version_memory = std::chrono::seconds(5);
  mutable std::mutex older_mutex_;  // guards older_ and missing_
  mutable std::list<std::pair<std::string, std::shared_ptr<const older_engine>>> older_;
  mutable miss_memory missing_{missing_versions, missing_version_memory};
  observer observer_;
  decide_hook decide_hook_;
  session_store& store_;
  std::array<stripe, stripes> stripes_;

  mutable std::mutex queue_mutex_;  // guards the two queues and the flags below
  std::condition_variable queue_wake_;
  std::vector<std::unique_ptr<job>> queue_;  // jobs with a write, for the next commit
  std::condition_variable read_wake_;
  std::vector<std::unique_ptr<job>> reads_;  // jobs whose record the reader reads first
  bool reading_ = false;                     // the reader is deciding jobs it took
  bool stopping_ = false;
  committer committer_;
  bool flush_posted_ = false;  // a flush is queued on the committer
  bool committing_ = false;    // a batch is being committed (by either)
  commit_stats stats_;
  std::atomic<std::size_t> in_flight_{0};  // submitted, not yet answered
  std::thread writer_;
  std::thread reader_;
};

// A new unguessable token: 128 random bits from the OS, as 32 hex characters.
std::string random_token();
// A new conversation id: the time it started (to the millisecond), then a random token.
std::string conversation_id();

}  // namespace advisor::bot
