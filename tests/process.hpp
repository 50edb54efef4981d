// A child process for tests: runs a program with pipes on stdin, stdout and stderr, reads its
// output line by line with a deadline, and can be killed (SIGKILL) or stopped (SIGTERM).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace advisor::test {

class process {
 public:
  explicit process(std::vector<std::string> argv, std::vector<std::string> env = {}) {
    int in[2], out[2], err[2];
    if (pipe(in) || pipe(out) || pipe(err)) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      dup2(err[1], 2);
      for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
      for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    stderr_ = err[0];
    signal(SIGPIPE, SIG_IGN);
  }
  ~process() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    for (int fd : {stdin_, stdout_, stderr_})
      if (fd >= 0) close(fd);
  }
  process(const process&) = delete;
  process& operator=(const process&) = delete;

  void write(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(stdin_, text.data() + done, text.size() - done);
      if (n <= 0) throw std::runtime_error("writing to the child failed");
      done += static_cast<std::size_t>(n);
    }
  }
  void write_line(const std::string& line) { write(line + "\n"); }
  void close_stdin() {
    close(stdin_);
    stdin_ = -1;
  }

  // The next line of stdout, or nothing when the deadline passes or the output ends.
  std::optional<std::string> read_line(
      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return read_line_from(stdout_, out_buf_, timeout);
  }
  std::optional<std::string> read_err_line(
      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return read_line_from(stderr_, err_buf_, timeout);
  }
  // Everything left on stdout until it closes (or the deadline).
  std::string read_all(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::string all;
    while (auto line = read_line(timeout)) all += *line + "\n";
    return all + out_buf_;
  }
  std::string read_all_err(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::string all;
    while (auto line = read_err_line(timeout)) all += *line + "\n";
    return all + err_buf_;
  }

  void kill(int sig = SIGKILL) { ::kill(pid_, sig); }
  // Waits for the exit; returns the exit code, or 128 + signal.
  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
  }
  pid_t pid() const { return pid_; }

 private:
  static std::optional<std::string> read_line_from(int fd, std::string& buf,
                                                   std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto nl = buf.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf.substr(0, nl);
        buf.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || fd < 0) return std::nullopt;
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char chunk[4096];
      ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n <= 0) return std::nullopt;
      buf.append(chunk, static_cast<std::size_t>(n));
    }
  }

  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1, stderr_ = -1;
  bool exited_ = false;
  std::string out_buf_, err_buf_;
};

}  // namespace advisor::test
