#include "compiler/driver/library.h"

#include <fmt/core.h>
#include <llvm/Object/Archive.h>
#include <llvm/Object/ArchiveWriter.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <cctype>
#include <memory>

#include "compiler/driver/codegen.h"
#include "compiler/driver/link.h"

namespace atl::driver {
namespace {

// runtime/abi/atoll_embed.h as text, generated at configure time.
constexpr const char* kEmbedApi =
#include "atoll_embed_api.inc"
    ;

// The C type of a parameter, and of what `out` points to, per boundary code
// (compiler/check/check.h; the IR side is compiler/lower/embed.cpp).
auto CParam(char code) -> std::string {
  switch (code) {
    case 'i':
      return "int64_t";
    case 'f':
      return "double";
    case 'b':
      return "bool";
    case 'c':
      return "uint32_t";
    case 's':
      return "const char*";
    case 'P':
      return "atoll_promise*";
    case 'u':
      return "";
    default:  // lists, tuples and records
      return "const atoll_value*";
  }
}

auto COut(char code) -> std::string {
  switch (code) {
    case 'i':
      return "int64_t*";
    case 'f':
      return "double*";
    case 'b':
      return "bool*";
    case 'c':
      return "uint32_t*";
    case 's':
      return "char**";
    case 'P':
      return "atoll_promise**";
    default:
      return "atoll_value**";
  }
}

// The Atoll type of a boundary code, for the prototypes' comments.
auto AtollType(const std::string& code, size_t* at) -> std::string {
  const char c = code[(*at)++];
  switch (c) {
    case 'i':
      return "Int";
    case 'f':
      return "Float";
    case 'b':
      return "Bool";
    case 'c':
      return "Char";
    case 's':
      return "String";
    case 'u':
      return "()";
    case 'L':
      return "List " + AtollType(code, at);
    case 'P':
      return "Promise " + AtollType(code, at);
    case 'T': {
      const int n = code[(*at)++] - '0';
      std::string out = "(";
      for (int i = 0; i < n; ++i) out += (i ? ", " : "") + AtollType(code, at);
      return out + ")";
    }
    case 'R': {  // R{f:<t>,g:<t>}
      std::string out = "{ ";
      ++*at;  // '{'
      while (*at < code.size() && code[*at] != '}') {
        const size_t colon = code.find(':', *at);
        out += code.substr(*at, colon - *at) + " : ";
        *at = colon + 1;
        out += AtollType(code, at);
        if (code[*at] == ',') {
          out += ", ";
          ++*at;
        }
      }
      ++*at;  // '}'
      return out + " }";
    }
    default:
      return "?";
  }
}

auto AtollType(const std::string& code) -> std::string {
  size_t at = 0;
  std::string t = AtollType(code, &at);
  return t.find(' ') != std::string::npos && t[0] != '(' && t[0] != '{' ? "(" + t + ")" : t;
}

}  // namespace

auto ExportPrefix(const std::string& module_name, const std::string& file) -> std::string {
  std::string base = module_name.empty() ? llvm::sys::path::stem(file).str() : module_name;
  std::string out;
  for (char ch : base) {
    const auto u = static_cast<unsigned char>(ch);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "atoll_" + out;
  return out;
}

auto HeaderPath(const std::string& library) -> std::string {
  llvm::SmallString<256> dir(library);
  llvm::sys::path::remove_filename(dir);
  std::string stem = llvm::sys::path::stem(library).str();
  if (stem.starts_with("lib") && stem.size() > 3) stem = stem.substr(3);
  llvm::sys::path::append(dir, stem + ".h");
  return std::string(dir.str());
}

auto WriteStaticLibrary(const std::string& object, const std::string& output,
                        const Install& install) -> Status {
  std::vector<std::string> archives = {install.runtime_library};
  for (const std::string& flag : RuntimeLinkFlags())
    if (IsRuntimeArchive(flag)) archives.push_back(flag);
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> buffers;
  std::vector<std::unique_ptr<llvm::object::Archive>> opened;
  std::vector<llvm::NewArchiveMember> members;
  auto program = llvm::NewArchiveMember::getFile(object, /*Deterministic=*/true);
  if (!program)
    return Failure::Usage("cannot read " + object + ": " + llvm::toString(program.takeError()));
  const std::string member_name = llvm::sys::path::stem(output).str() + "_program.o";
  program->MemberName = member_name;  // a StringRef: member_name outlives the write
  members.push_back(std::move(*program));
  for (const std::string& path : archives) {
    auto buffer = llvm::MemoryBuffer::getFile(path);
    if (!buffer) return Failure::Usage("cannot read " + path + ": " + buffer.getError().message());
    auto archive = llvm::object::Archive::create((*buffer)->getMemBufferRef());
    if (!archive)
      return Failure::Usage("cannot read " + path + ": " + llvm::toString(archive.takeError()));
    llvm::Error error = llvm::Error::success();
    for (const llvm::object::Archive::Child& child : (*archive)->children(error)) {
      auto member = llvm::NewArchiveMember::getOldMember(child, /*Deterministic=*/true);
      if (!member)
        return Failure::Usage("cannot read " + path + ": " + llvm::toString(member.takeError()));
      members.push_back(std::move(*member));
    }
    if (error)
      return Failure::Usage("cannot read " + path + ": " + llvm::toString(std::move(error)));
    buffers.push_back(std::move(*buffer));
    opened.push_back(std::move(*archive));
  }
  if (llvm::Error error = llvm::writeArchive(output, members, llvm::SymtabWritingMode::NormalSymtab,
                                             llvm::object::Archive::K_GNU,
                                             /*Deterministic=*/true, /*Thin=*/false))
    return Failure::Usage("cannot write " + output + ": " + llvm::toString(std::move(error)));
  return Done{};
}

auto WriteHeader(const std::string& path, const std::string& library, const std::string& prefix,
                 const std::vector<check::Export>& exports, bool shared) -> Status {
  std::string link = "cc host.c " + library;
  if (!shared)
    for (const std::string& flag : HostLinkFlags()) link += " " + flag;
  std::string guard = "ATOLL_EXPORTS_" + prefix + "_H";
  for (char& ch : guard) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string text = fmt::format(
      "/* Generated by `atoll build --emit={}`: the exports of {} and the embedding\n"
      " * API (docs/embedding.md). Every export returns an atoll_status and is\n"
      " * called on the thread that called atoll_start(); its result goes to the\n"
      " * last parameter (`out`). A String result is allocated with malloc (free it\n"
      " * with atoll_string_free); an atoll_value result belongs to the caller\n"
      " * (atoll_value_free); an action's promise too (atoll_promise_release).\n"
      " *\n"
      " * Link: {}\n"
      " */\n"
      "#ifndef {}\n#define {}\n\n",
      shared ? "shared" : "lib", library, link, guard, guard);
  text += kEmbedApi;
  text += "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  for (const check::Export& e : exports) {
    std::string atoll_type;
    for (const std::string& c : e.param_codes) atoll_type += AtollType(c) + " -> ";
    atoll_type += e.action ? "Effect s Nondeterministic " + AtollType(e.result_code)
                           : AtollType(e.result_code);
    std::string params;
    for (size_t i = 0; i < e.param_codes.size(); ++i) {
      const std::string t = CParam(e.param_codes[i][0]);
      if (t.empty()) continue;
      params += (params.empty() ? "" : ", ") + t + " a" + std::to_string(i + 1);
    }
    if (e.action) {
      params += std::string(params.empty() ? "" : ", ") + "atoll_promise** out";
    } else if (e.result_code != "u") {
      params += (params.empty() ? "" : ", ") + COut(e.result_code[0]) + " out";
    }
    if (params.empty()) params = "void";
    text += fmt::format("/* {} : {}{} */\nint {}_{}({});\n\n", e.name, atoll_type,
                        e.action ? " (runs as an Atoll thread; *out resolves with its result)" : "",
                        prefix, e.name, params);
  }
  text += "#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_Text);
  if (ec) return Failure::Usage("cannot write " + path + ": " + ec.message());
  out << text;
  return FinishWrite(out, path);
}

}  // namespace atl::driver
