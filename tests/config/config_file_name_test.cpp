// The config file has one name everywhere a technician reads one: /etc/passgate/passgate.toml
// (the unit's ConditionPathExists and ExecStart, passgatectl's default, the docs, the example
// configs, the package's scripts). A second name sends someone to a file the service never
// reads, and it waits at "start condition unmet".
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

// The file, its two examples, and the packaging's shorthand for both examples.
const std::set<std::string> kConfigNames = {"passgate.toml", "passgate.example.toml", "passgate.gpiod.example.toml",
                                            "passgate{,.gpiod}.example.toml"};

// Every file a technician or the package reads the config file's name from.
std::vector<std::filesystem::path> files_naming_the_config() {
  const std::filesystem::path root(PASSGATE_SOURCE_DIR);
  std::vector<std::filesystem::path> files{root / "README.md", root / "cmake/Packaging.cmake"};
  for (const char* folder : {"docs", "config", "cmake/debian", "tools/passgatectl", "passgated"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / folder)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
  }
  return files;
}

}  // namespace

TEST_CASE("the config file has one name in the docs, the examples, the unit, the package and the code") {
  // A .toml under /etc/passgate, or any *.toml word that stands for the gate's config.
  const std::regex etc_toml(R"(/etc/passgate/([A-Za-z0-9_.{},-]+\.toml))");
  const std::regex other_name(R"((^|[^A-Za-z0-9_.-])(gate|config|passgated)\.toml)");
  const auto files = files_naming_the_config();
  REQUIRE(files.size() > 20);
  int named = 0;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    for (std::sregex_iterator it(content.begin(), content.end(), etc_toml), end; it != end; ++it) {
      const std::string name = (*it)[1];
      INFO(file.string() << " names /etc/passgate/" << name);
      CHECK(kConfigNames.contains(name));
      ++named;
    }
    INFO(file.string() << " names the config file otherwise than passgate.toml");
    CHECK_FALSE(std::regex_search(content, other_name));
  }
  CHECK(named > 10);  // the name was found where it is used
}
