// tessera lm in a build without LibTorch: the command exists and says how to get it.

#include <tessera/error.hpp>

#include "tessera/commands.hpp"

namespace tessera::cli {

void add_lm_command(CLI::App& app) {
  auto* lm = app.add_subcommand("lm", "Language models (this build has no LibTorch: unavailable)");
  lm->allow_extras();
  add_help_footer(*lm, "apt-get install libtorch-dev libsentencepiece-dev, then rebuild",
                  "docs/learning.md");
  lm->callback([] {
    throw Error(
        "tessera lm: this tessera was built without LibTorch; install it (apt-get install "
        "libtorch-dev libsentencepiece-dev) and rebuild");
  });
}

}  // namespace tessera::cli
