#pragma once
// Redirects stdout (where the log writes) into a file for the lifetime of the object.
#include <string>

namespace payrollx::test {

class CapturedStdout {
 public:
  CapturedStdout();
  ~CapturedStdout();
  CapturedStdout(const CapturedStdout&) = delete;
  CapturedStdout& operator=(const CapturedStdout&) = delete;

  // Everything written since construction; stdout is restored.
  std::string text();

 private:
  void restore();
  std::string path_;
  int saved_ = -1;
};

}  // namespace payrollx::test
