#include "captured_stdout.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace payrollx::test {

CapturedStdout::CapturedStdout()
    : path_(fmt::format("/tmp/payrollx-captured-stdout-{}.log", ::getpid())) {
  std::fflush(stdout);
  saved_ = ::dup(STDOUT_FILENO);
  auto* file = std::fopen(path_.c_str(), "w");
  ::dup2(::fileno(file), STDOUT_FILENO);
  std::fclose(file);
}

CapturedStdout::~CapturedStdout() {
  restore();
  std::remove(path_.c_str());
}

std::string CapturedStdout::text() {
  restore();
  std::ifstream in(path_);
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

void CapturedStdout::restore() {
  if (saved_ < 0) return;
  std::fflush(stdout);
  ::dup2(saved_, STDOUT_FILENO);
  ::close(saved_);
  saved_ = -1;
}

}  // namespace payrollx::test
