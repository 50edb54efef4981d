// Caps on open connections: in all, and per peer address, so that one client cannot take
// every descriptor (or every byte of memory) the server has; and a budget of bytes read a
// second that one address's connections share, so that opening more connections does not buy
// more of the turn threads' time. A connection holds a ticket from accept until its last
// handler is gone; dropping the ticket frees its place. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace advisor::web {

class connection_limits {
  struct per_address_state {
    std::size_t open = 0;
    double bytes = 0;  // tokens of the shared byte budget
    std::chrono::steady_clock::time_point refilled;
  };
  struct counts {
    std::mutex mutex;
    std::size_t total = 0;
    double bytes_per_second = 0, byte_burst = 0;
    std::unordered_map<std::string, per_address_state> per_address;
  };

 public:
  // `bytes_per_second` and `byte_burst`: the budget each address's connections share.
  connection_limits(std::size_t max_total, std::size_t max_per_address,
                    double bytes_per_second = 1e18, double byte_burst = 1e18);

  // Held by a connection while it is open; movable, frees its place when destroyed.
  class ticket {
   public:
    ticket() = default;
    ticket(ticket&&) noexcept = default;
    ticket& operator=(ticket&& other) noexcept;
    ~ticket();
    // Takes `n` bytes from the address's shared budget; false (and the budget emptied) when
    // there were not that many.
    bool take_bytes(std::size_t n);
    const std::string& address() const { return address_; }

   private:
    friend class connection_limits;
    ticket(std::shared_ptr<counts> c, std::string address)
        : counts_(std::move(c)), address_(std::move(address)) {}
    void release();
    std::shared_ptr<counts> counts_;  // shared: a ticket may outlive the server object
    std::string address_;
  };

  enum class refusal { none, total, per_address };
  // A ticket, or nothing when the connection would exceed a cap (`why` says which).
  std::optional<ticket> admit(const std::string& address, refusal* why = nullptr);

  std::size_t open() const;
  std::size_t open_from(const std::string& address) const;

 private:
  std::size_t max_total_;
  std::size_t max_per_address_;
  std::shared_ptr<counts> counts_ = std::make_shared<counts>();
};

}  // namespace advisor::web
