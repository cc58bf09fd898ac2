#include "scripting/hook_resolver.h"

#include <filesystem>

#include "scripting/lua_hooks.h"

namespace consentflow::scripting {

dsl::HookResolver MakeHookResolver(std::string flow_directory) {
  return [directory = std::move(flow_directory)](const std::string& hooks_file) {
    const std::string path = (std::filesystem::path(directory) / hooks_file).lexically_normal().string();
    Result<HookFileInfo> info = InspectHookFileInSandbox(path);
    dsl::HookFunctions out;
    if (!info) {
      out.error = info.error().message();
      return out;
    }
    out.loaded = true;
    out.functions = std::move(info->functions);
    return out;
  };
}

}  // namespace consentflow::scripting
