#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "servers/reply.hpp"

namespace pushbench {

// The live demo's files (web/): GET / is index.html, GET /demo/NAME a file of that folder.
// Names are plain file names: nothing outside the folder can be reached. nullopt: not a demo path.
std::optional<Reply> demo_file(const std::string& web_dir, std::string_view path);

}  // namespace pushbench
