// PtyDevice: a pseudo-terminal standing in for a USB CDC-ACM scanner. The driver opens the
// slave side, as it would /dev/ttyACM0; the test plays the scanner by writing to the master
// side, and unplugs it by closing both. ScannerLink is the device path the test hands the
// driver: a symbolic link, like /dev/serial/by-id/..., that can be pointed at a new pty to
// plug a scanner in again.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace passgate::test {

class PtyDevice {
 public:
  PtyDevice();  // fails the test if no pty can be made
  ~PtyDevice();
  PtyDevice(const PtyDevice&) = delete;
  PtyDevice& operator=(const PtyDevice&) = delete;

  [[nodiscard]] const std::filesystem::path& slave_path() const { return slave_path_; }
  // Writes every byte to the master side, as the scanner would send them.
  void send(std::string_view bytes) const;
  // Closes both sides: the driver's next read fails as on an unplugged device.
  void unplug();

 private:
  int master_ = -1;
  int slave_ = -1;  // held open so the pty stays usable until unplug()
  std::filesystem::path slave_path_;
};

// Points the link at `target`, replacing what it pointed at in one step (rename).
void point_link(const std::filesystem::path& link, const std::filesystem::path& target);

}  // namespace passgate::test
