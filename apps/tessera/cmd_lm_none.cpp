// tessera lm and tessera train in a build without LibTorch: the commands exist and say how
// to get them.

#include <string>

#include <tessera/error.hpp>

#include "tessera/commands.hpp"

namespace tessera::cli {

namespace {

void add_unavailable(CLI::App& app, const std::string& name, const std::string& what,
                     const std::string& doc) {
  auto* command = app.add_subcommand(name, what + " (this build has no LibTorch: unavailable)");
  command->allow_extras();
  add_help_footer(*command, "apt-get install libtorch-dev libsentencepiece-dev, then rebuild", doc);
  command->callback([name] {
    throw Error("tessera " + name +
                ": this tessera was built without LibTorch; install it (apt-get install "
                "libtorch-dev libsentencepiece-dev) and rebuild");
  });
}

}  // namespace

void add_lm_command(CLI::App& app) {
  add_unavailable(app, "lm", "Language models", "docs/learning.md");
}

void add_train_command(CLI::App& app) {
  add_unavailable(app, "train", "Training under a memory budget", "docs/mimose.md");
}

}  // namespace tessera::cli
