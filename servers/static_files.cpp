#include "servers/static_files.hpp"

#include <fstream>
#include <sstream>

namespace pushbench {
namespace {

std::string_view content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".png")) return "image/png";
  return "application/octet-stream";
}

bool plain_name(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  for (const char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// A file or a file in a folder of web/ ("clients/sse.js"): every part a plain name, so nothing
// leaves the folder ("..", a leading "/" or an empty part is refused).
bool plain_path(std::string_view path) {
  for (std::size_t slash; (slash = path.find('/')) != std::string_view::npos; path.remove_prefix(slash + 1)) {
    if (!plain_name(path.substr(0, slash))) return false;
  }
  return plain_name(path);
}

}  // namespace

std::optional<Reply> demo_file(const std::string& web_dir, std::string_view path) {
  std::string_view name;
  if (path == "/")
    name = "index.html";
  else if (path.starts_with("/demo/"))
    name = path.substr(6);
  else
    return std::nullopt;
  if (!plain_path(name)) return Reply::error(404, "no such file");
  std::ifstream file(web_dir + "/" + std::string(name), std::ios::binary);
  if (!file) return Reply::error(404, "no such file");
  std::ostringstream content;
  content << file.rdbuf();
  return Reply::text(200, content_type(name), content.str());
}

}  // namespace pushbench
