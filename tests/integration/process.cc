#include "integration/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

extern char** environ;

namespace tailor::integration {

namespace {

// Closes every descriptor >= 3 in the child, so it does not inherit the test's sockets
// (an inherited client connection would keep a server's session open through a drain).
// Async-signal-safe.
void CloseInheritedFds() {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0) return;
#endif
  long max = sysconf(_SC_OPEN_MAX);
  for (long fd = 3; fd < (max > 0 ? max : 4096); ++fd) close(static_cast<int>(fd));
}

void WriteAll(int fd, const char* s) {
  size_t n = std::strlen(s);
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(const SpawnOptions& options) {
  if (options.args.empty()) return InvalidArgument("no program given");
  // A test writing to a socket the server already closed must get EPIPE, not die.
  std::signal(SIGPIPE, SIG_IGN);

  // Everything the child needs is allocated before fork (the test process has threads).
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "TAILOR_", 7) != 0) env_strings.emplace_back(*e);
  }
  for (const auto& [k, v] : options.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> arg_strings = options.args;
  std::vector<char*> argv;
  for (auto& s : arg_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Internal(std::string("pipe: ") + std::strerror(errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return Internal(std::string("pipe: ") + std::strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    return Internal(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    CloseInheritedFds();
    // Default signal dispositions for the child (SIGPIPE was ignored above).
    signal(SIGPIPE, SIG_DFL);
    execve(argv[0], argv.data(), envp.data());
    WriteAll(2, "exec failed: ");
    WriteAll(2, argv[0]);
    WriteAll(2, "\n");
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  std::unique_ptr<ChildProcess> child(new ChildProcess());
  child->pid_ = pid;
  child->reader_ = std::thread([c = child.get(), out = out_pipe[0], err = err_pipe[0]] {
    c->ReadLoop(out, err);
  });
  return child;
}

void ChildProcess::ReadLoop(int out_fd, int err_fd) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = 2;
  char buf[16384];
  while (open_fds > 0) {
    int n = poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t r = read(fds[i].fd, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      std::lock_guard<std::mutex> lock(mu_);
      (i == 0 ? out_ : err_).append(buf, static_cast<size_t>(r));
      cv_.notify_all();
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  std::lock_guard<std::mutex> lock(mu_);
  pipes_closed_ = true;
  cv_.notify_all();
}

ChildProcess::~ChildProcess() {
  if (!reaped_) Kill();
  if (reader_.joinable()) reader_.join();
}

std::string ChildProcess::Stdout() const {
  std::lock_guard<std::mutex> lock(mu_);
  return out_;
}

std::string ChildProcess::Stderr() const {
  std::lock_guard<std::mutex> lock(mu_);
  return err_;
}

bool ChildProcess::WaitForStdout(const std::function<bool(const std::string&)>& done,
                                 milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return done(out_) || pipes_closed_; });
  return done(out_);
}

void ChildProcess::Signal(int signo) {
  if (!reaped_) kill(pid_, signo);
}

std::optional<int> ChildProcess::Wait(milliseconds timeout) {
  if (!reaped_) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      int status = 0;
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        wait_status_ = status;
        break;
      }
      if (r < 0 && errno != EINTR) {  // cannot happen for our own child; do not spin
        reaped_ = true;
        wait_status_ = -1;
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(milliseconds(5));  // waitpid has no timeout; poll it
    }
  }
  // The pipes close when the child exits (nothing else holds their write ends).
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::seconds(5), [&] { return pipes_closed_; });
  return wait_status_;
}

int ChildProcess::Kill() {
  Signal(SIGKILL);
  return Wait(std::chrono::seconds(30)).value_or(-1);
}

CommandResult RunCommand(const SpawnOptions& options, milliseconds timeout) {
  CommandResult out;
  auto child = ChildProcess::Spawn(options);
  if (!child.ok()) {
    out.err = child.status().ToString();
    return out;
  }
  std::optional<int> status = (*child)->Wait(timeout);
  if (!status) {
    out.timed_out = true;
    (*child)->Kill();
  } else if (WIFEXITED(*status)) {
    out.exit_code = WEXITSTATUS(*status);
  }
  out.out = (*child)->Stdout();
  out.err = (*child)->Stderr();
  return out;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

}  // namespace tailor::integration
