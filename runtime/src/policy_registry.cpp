// The process-wide policy registry, and loading policies from shared objects.

#include <dlfcn.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "tessera/error.hpp"
#include "tessera/policy.hpp"

namespace tessera {
namespace {

struct Entry {
  std::string description;
  PolicyFactory factory;
  std::vector<PolicyOptionInfo> options;
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, Entry, std::less<>> entries;
};

Registry& registry() {
  static Registry instance;  // function-local: safe from static-initialisation order
  return instance;
}

bool looks_like_path(std::string_view name) {
  return name.find('/') != std::string_view::npos ||
         (name.size() > 3 && name.substr(name.size() - 3) == ".so") ||
         name.find(".so.") != std::string_view::npos;
}

std::unique_ptr<Policy> load_from_shared_object(const std::string& path,
                                                const std::string& options) {
  // Loaded objects stay loaded for the life of the process: policies may leave code
  // (vtables, callbacks) behind in objects that outlive a runtime.
  void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    throw PolicyError("cannot load policy library '" + path +
                      "': " + (why ? why : "unknown error"));
  }
  dlerror();
  void* symbol = dlsym(library, "tessera_create_policy");
  if (symbol == nullptr) {
    throw PolicyError(
        "policy library '" + path +
        "' does not export tessera_create_policy (define it with TESSERA_EXPORT_POLICY)");
  }
  auto create = reinterpret_cast<tessera_create_policy_fn>(symbol);
  std::unique_ptr<Policy> policy;
  try {
    policy.reset(create(kPolicyAbiVersion, options.c_str()));
  } catch (const std::exception& e) {
    throw PolicyError("policy library '" + path + "': " + e.what());
  }
  if (!policy) {
    throw PolicyError("policy library '" + path + "' refused policy ABI version " +
                      std::to_string(kPolicyAbiVersion) + " (rebuild it against this Tessera)");
  }
  return policy;
}

}  // namespace

void register_policy(std::string name, std::string description, PolicyFactory factory,
                     std::vector<PolicyOptionInfo> options) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.entries[std::move(name)] = {std::move(description), std::move(factory), std::move(options)};
}

std::vector<PolicyInfo> registered_policies() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<PolicyInfo> out;
  for (const auto& [name, entry] : r.entries)
    out.push_back({name, entry.description, entry.options});
  return out;
}

PolicyInfo policy_info(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  const auto it = r.entries.find(name);
  if (it == r.entries.end()) {
    std::string known;
    for (const auto& [n, entry] : r.entries) known += (known.empty() ? "" : ", ") + n;
    throw PolicyError("unknown scheduling policy '" + std::string(name) + "' (known: " + known +
                      ")");
  }
  return {it->first, it->second.description, it->second.options};
}

bool is_registered_policy(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return r.entries.find(name) != r.entries.end();
}

std::unique_ptr<Policy> create_policy(std::string_view spec) {
  if (spec.empty()) throw PolicyError("empty policy name");
  // A path may itself contain ':' only before the last '/'.
  const std::size_t last_slash = spec.rfind('/');
  const std::size_t colon = spec.find(':', last_slash == std::string_view::npos ? 0 : last_slash);
  const std::string name(spec.substr(0, colon));
  const std::string options =
      colon == std::string_view::npos ? std::string() : std::string(spec.substr(colon + 1));
  if (looks_like_path(name)) return load_from_shared_object(name, options);

  PolicyFactory factory;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    auto it = r.entries.find(name);
    if (it == r.entries.end()) {
      std::string known;
      for (const auto& [n, e] : r.entries) known += (known.empty() ? "" : ", ") + n;
      throw PolicyError("unknown scheduling policy '" + name + "' (known: " + known +
                        "; or give the path of a policy .so)");
    }
    factory = it->second.factory;
  }
  // Policies throw without naming themselves: the name is added here, once.
  try {
    return factory(PolicyOptions::parse(options));
  } catch (const InvalidArgument& e) {
    throw PolicyError("policy '" + name + "': " + e.what());
  } catch (const std::invalid_argument& e) {
    throw PolicyError("policy '" + name + "': " + e.what());
  }
}

}  // namespace tessera
