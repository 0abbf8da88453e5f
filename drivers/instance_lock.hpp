// InstanceLock: at most one passgated per state directory (the database's). acquire() takes
// an exclusive flock(2) on <dir>/passgated.lock without waiting and writes the holder's PID
// in it; the lock lasts as long as the object, and the kernel drops it when the process ends,
// however it ends (a stale file never blocks a start). passgated takes it before it touches
// the database, its sockets or the lines, so a second instance on the same directory changes
// nothing and exits, naming the PID that holds it. The file is never removed (removing a lock
// file races with the next holder).
#pragma once

#include <filesystem>
#include <memory>
#include <utility>

#include "common/posix.hpp"
#include "common/result.hpp"

namespace passgate::drivers {

class InstanceLock {
 public:
  static constexpr const char* kFileName = "passgated.lock";

  // Error codes: "locked" (another process holds it; the message names the file and the PID
  // it holds), "io_error" (the file cannot be created, locked or written: the OS reason).
  [[nodiscard]] static Result<std::unique_ptr<InstanceLock>> acquire(const std::filesystem::path& dir);

  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;

  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

 private:
  InstanceLock(std::filesystem::path file, UniqueFd fd) : file_(std::move(file)), fd_(std::move(fd)) {}

  std::filesystem::path file_;
  UniqueFd fd_;  // closing it drops the lock
};

}  // namespace passgate::drivers
