// Child processes for the integration tests: fork/exec with the child's stdout and
// stderr captured through pipes by a reader thread, waits on output with a timeout,
// signals, and reaping.
//
// The child gets /dev/null as stdin and an environment built from the test's own, minus
// every TAILOR_* variable (so a developer's shell cannot change what a test runs), plus
// the variables the caller passes.
//
// Thread safety: a ChildProcess may be used from one thread at a time, except that
// Output()/WaitForOutput() may be called concurrently with the reader thread (they lock).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"

namespace tailor::integration {

using std::chrono::milliseconds;

struct SpawnOptions {
  std::vector<std::string> args;            // args[0] is the program path
  std::map<std::string, std::string> env;   // added to the (TAILOR_-free) environment
};

class ChildProcess {
 public:
  // Starts the child. Returns kInternal when fork/exec/pipe fails (an exec failure is
  // reported by the child as exit status 127 and a message on its stderr).
  static Result<std::unique_ptr<ChildProcess>> Spawn(const SpawnOptions& options);

  // Kills (SIGKILL) and reaps the child if it is still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Everything the child wrote so far.
  std::string Stdout() const;
  std::string Stderr() const;

  // Waits until `done(stdout)` is true, the child's stdout closes, or `timeout` passes.
  // Returns whether `done` became true.
  bool WaitForStdout(const std::function<bool(const std::string&)>& done, milliseconds timeout);

  // Sends `signo`. REQUIRES: the child has not been reaped.
  void Signal(int signo);

  // Waits up to `timeout` for the child to exit and reaps it. Returns the wait status
  // (see WIFEXITED etc.), or nullopt on timeout. Also waits for the output pipes to close
  // so Stdout()/Stderr() are complete afterwards.
  std::optional<int> Wait(milliseconds timeout);

  // SIGKILL + Wait; returns the wait status.
  int Kill();

 private:
  ChildProcess() = default;
  void ReadLoop(int out_fd, int err_fd);

  pid_t pid_ = -1;
  bool reaped_ = false;
  int wait_status_ = 0;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string out_;        // GUARDED_BY(mu_)
  std::string err_;        // GUARDED_BY(mu_)
  bool pipes_closed_ = false;  // GUARDED_BY(mu_)
};

// Result of a run-to-completion command.
struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs a command to completion (killing it after `timeout`).
CommandResult RunCommand(const SpawnOptions& options, milliseconds timeout);

// Describes a wait status for assertion messages: "exit 0", "signal 9".
std::string DescribeWaitStatus(int status);

}  // namespace tailor::integration
