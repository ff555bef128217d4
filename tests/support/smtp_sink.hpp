#pragma once
// A real SMTP server for tests: Debian's aiosmtpd (package python3-aiosmtpd, run by
// /usr/bin/python3) on a free loopback port, keeping what it receives in a Maildir.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace payrollx::test {

class SmtpSink {
 public:
  // Starts the server and waits until its port accepts connections; throws with the server's
  // output when it does not within 15 s.
  SmtpSink();
  ~SmtpSink();  // stops the server and removes its Maildir
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const;  // "smtp://127.0.0.1:PORT"

  // The messages received so far, oldest first, as the Maildir keeps them: the DATA with LF line
  // ends, headers X-Peer, X-MailFrom and X-RcptTo (the envelope) added.
  std::vector<std::string> messages() const;
  // Whether `count` messages arrived within `timeout`.
  bool wait_for(std::size_t count, std::chrono::seconds timeout) const;

 private:
  std::string directory_;  // the Maildir and the server's output
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace payrollx::test
