#include "controller/admission/key_ring.hpp"

#include "crypto/key_file.hpp"

namespace passgate::controller {

Status KeyRing::reload() {
  auto loaded = read(file_);
  if (!loaded.ok()) return loaded.error();
  install(std::move(*loaded));
  return {};
}

Result<KeyRing::Loaded> KeyRing::read(const std::filesystem::path& file) {
  auto text = crypto::read_key_file(file);
  if (!text) return text.error();
  auto keys = crypto::KeySet::parse(*text);
  if (!keys) return make_error(keys.error().code, file.string() + ": " + keys.error().message);
  return Loaded{file, std::move(*text), std::move(*keys)};
}

bool KeyRing::install(Loaded loaded) {
  const bool changed = !current_ || loaded.file != file_ || loaded.text != text_;
  file_ = std::move(loaded.file);
  text_ = std::move(loaded.text);
  current_ = std::move(loaded.keys);
  return changed;
}

}  // namespace passgate::controller
