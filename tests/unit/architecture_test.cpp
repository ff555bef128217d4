// The module boundaries (docs/modules.md), checked on the source tree itself: a module's SQL
// touches only its own schema (and core), modules include each other only through their public
// header and only along the DEPENDS graph of src/CMakeLists.txt, and module headers keep Beast
// and libpq out. Each violation fails with the file and line that broke the rule.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path k_source_dir{PAYROLLX_SOURCE_DIR};

// A string literal as the compiler sees it: adjacent literals ("a" "b") joined and simple
// escapes decoded; lines[i] is the source line of text[i].
struct Literal {
  std::string text;
  std::vector<int> lines;
};

struct Include {
  int line = 0;
  std::string path;  // as written between the quotes or angle brackets
};

struct Scanned {
  std::vector<Literal> literals;
  std::vector<Include> includes;
};

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// A small C++ lexer: enough to tell string literals, comments and preprocessor lines apart,
// which a plain regex over the file cannot (a table name in a comment is not SQL, and
// "modules/wallet/wallet.hpp" in an #include is not a table).
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Scanned run() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
        at_line_start_ = true;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        ++pos_;
      } else if (c == '#' && at_line_start_) {
        directive();
      } else if (starts_with("//")) {
        skip_until("\n");
      } else if (starts_with("/*")) {
        skip_until("*/");
        pos_ += 2;
      } else if (c == '"') {
        string_literal(raw_prefix_before());
      } else if (c == '\'' && !is_digit_separator()) {
        char_literal();
      } else {
        at_line_start_ = false;
        joinable_ = false;
        ++pos_;
      }
    }
    return std::move(result_);
  }

 private:
  bool starts_with(std::string_view s) const { return text_.substr(pos_).starts_with(s); }

  void skip_until(std::string_view end) {
    while (pos_ < text_.size() && !starts_with(end)) {
      if (text_[pos_] == '\n') ++line_;
      ++pos_;
    }
  }

  // #include lines are recorded; every directive (with its continuation lines) is skipped.
  void directive() {
    const int line = line_;
    std::string directive_text;
    while (pos_ < text_.size() && text_[pos_] != '\n') {
      if (starts_with("\\\n")) {
        ++line_;
        pos_ += 2;
        continue;
      }
      directive_text += text_[pos_++];
    }
    static const std::regex include_re{R"(^#\s*include\s*["<]([^">]+)[">])"};
    std::smatch m;
    if (std::regex_search(directive_text, m, include_re)) {
      result_.includes.push_back({line, m[1].str()});
    }
    joinable_ = false;
  }

  // R"(...)" and u8R/LR/uR/UR: the identifier right before the quote decides.
  bool raw_prefix_before() const {
    std::size_t start = pos_;
    while (start > 0 && is_identifier_char(text_[start - 1])) --start;
    const std::string_view prefix = text_.substr(start, pos_ - start);
    return prefix == "R" || prefix == "u8R" || prefix == "LR" || prefix == "uR" || prefix == "UR";
  }

  // 1'000'000: a quote between two digits is a separator, not a character literal.
  bool is_digit_separator() const {
    return pos_ > 0 && pos_ + 1 < text_.size() &&
           std::isxdigit(static_cast<unsigned char>(text_[pos_ - 1])) != 0 &&
           std::isxdigit(static_cast<unsigned char>(text_[pos_ + 1])) != 0 &&
           is_identifier_char(text_[pos_ - 1]);
  }

  void string_literal(bool raw) {
    if (!joinable_ || result_.literals.empty()) result_.literals.emplace_back();
    Literal& literal = result_.literals.back();
    const auto append = [&](char c) {
      literal.text += c;
      literal.lines.push_back(line_);
    };
    ++pos_;  // opening quote
    if (raw) {
      const std::size_t open = text_.find('(', pos_);
      if (open == std::string_view::npos) {
        pos_ = text_.size();
        return;
      }
      const std::string close = ")" + std::string(text_.substr(pos_, open - pos_)) + "\"";
      const std::size_t end = std::min(text_.find(close, open), text_.size());
      for (pos_ = open + 1; pos_ < end; ++pos_) {
        append(text_[pos_]);
        if (text_[pos_] == '\n') ++line_;
      }
      pos_ = end + close.size();
    } else {
      for (; pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\n'; ++pos_) {
        const bool escape = text_[pos_] == '\\' && pos_ + 1 < text_.size();
        if (escape) ++pos_;
        append(escape ? decode_escape(text_[pos_]) : text_[pos_]);
      }
      ++pos_;  // closing quote
    }
    while (pos_ < text_.size() && is_identifier_char(text_[pos_])) ++pos_;  // "..."sv
    joinable_ = true;
    at_line_start_ = false;
  }

  static char decode_escape(char c) {
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      default:
        return c;
    }
  }

  void char_literal() {
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '\'' && text_[pos_] != '\n') {
      pos_ += text_[pos_] == '\\' ? 2 : 1;
    }
    ++pos_;
    joinable_ = false;
    at_line_start_ = false;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  bool at_line_start_ = true;
  bool joinable_ = false;  // only whitespace and comments since the last string literal
  Scanned result_;
};

Scanned scan(std::string_view text) {
  return Lexer(text).run();
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct TableReference {
  int line = 0;
  std::string schema;
  std::string table;
};

// The schema-qualified tables a literal names when it is SQL. A literal is SQL when it holds a
// statement keyword: event names such as "wallet.deposit.completed" and query names such as
// "auth.select_user" are not SQL, and neither are SQL string constants ('...') or comments.
std::vector<TableReference> table_references(const Literal& literal) {
  static const std::regex sql_keyword{
      R"(\b(select|insert|update|delete|from|join|into|returning|where|values|table)\b)",
      std::regex::icase};
  static const std::regex constants_and_comments{R"('(?:[^']|'')*'|--[^\n]*)"};
  static const std::regex reference{
      R"(\b(auth|organization|employee|wallet|payroll|transaction|notification|compliance)\.([a-z_]+))"};

  std::vector<TableReference> found;
  if (!std::regex_search(literal.text, sql_keyword)) return found;
  // Blanked in place, so that offsets still map to source lines.
  std::string sql = literal.text;
  for (std::sregex_iterator it(literal.text.begin(), literal.text.end(), constants_and_comments),
       end;
       it != end; ++it) {
    std::fill_n(sql.begin() + it->position(), it->length(), ' ');
  }
  for (std::sregex_iterator it(sql.begin(), sql.end(), reference), end; it != end; ++it) {
    found.push_back(
        {literal.lines[static_cast<std::size_t>(it->position())], (*it)[1].str(), (*it)[2].str()});
  }
  return found;
}

// A path as messages show it: relative to the source tree.
std::string shown(const fs::path& path) {
  return path.lexically_relative(k_source_dir).generic_string();
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::exists(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".cpp" || ext == ".hpp" || ext == ".h")) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The module folders under src/modules.
std::vector<std::string> module_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(k_source_dir / "src" / "modules")) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// payrollx_module(name DEPENDS a b ...) lines of src/CMakeLists.txt: module -> what it may call.
using Graph = std::map<std::string, std::set<std::string>>;

Graph parse_depends(const std::string& cmake) {
  static const std::regex comment{R"(#[^\n]*)"};
  static const std::regex module_call{R"(\bpayrollx_module\s*\(([^)]*)\))"};
  const std::string text = std::regex_replace(cmake, comment, "");
  Graph graph;
  for (std::sregex_iterator it(text.begin(), text.end(), module_call), end; it != end; ++it) {
    std::istringstream words((*it)[1].str());
    std::string name;
    std::string word;
    words >> name;
    auto& deps = graph[name];
    bool in_depends = false;
    while (words >> word) {
      if (word == "DEPENDS") {
        in_depends = true;
      } else if (in_depends) {
        deps.insert(word);
      }
    }
  }
  return graph;
}

Graph module_graph() {
  return parse_depends(read_file(k_source_dir / "src" / "CMakeLists.txt"));
}

// The module a source file's #include reaches, resolved as the compiler would (from src/, or
// relative to the including file), with its path inside that module.
struct IncludedModule {
  std::string module;
  std::string file;  // "wallet.hpp", "store.hpp", ...
};

std::optional<IncludedModule> included_module(const fs::path& includer, const std::string& path) {
  const fs::path modules_dir = (k_source_dir / "src" / "modules").lexically_normal();
  for (const fs::path& candidate : {(k_source_dir / "src" / path).lexically_normal(),
                                    (includer.parent_path() / path).lexically_normal()}) {
    const fs::path inside = candidate.lexically_relative(modules_dir);
    if (inside.empty() || *inside.begin() == ".." || !fs::exists(candidate)) continue;
    auto part = inside.begin();
    const std::string module = part->string();
    ++part;
    fs::path rest;
    for (; part != inside.end(); ++part) rest /= *part;
    return IncludedModule{module, rest.generic_string()};
  }
  return std::nullopt;
}

// Every #include of another module in src/, as "file:line" plus what it reaches.
struct CrossInclude {
  std::string where;
  std::string from_module;  // empty outside src/modules
  std::string written;
  IncludedModule target;
};

std::vector<CrossInclude> cross_module_includes(const fs::path& dir) {
  std::vector<CrossInclude> found;
  for (const auto& file : files_under(dir)) {
    const fs::path inside = file.lexically_relative(k_source_dir / "src" / "modules");
    const std::string from =
        !inside.empty() && *inside.begin() != ".." ? inside.begin()->string() : "";
    for (const auto& include : scan(read_file(file)).includes) {
      const auto target = included_module(file, include.path);
      if (!target || target->module == from) continue;
      found.push_back(
          {shown(file) + ":" + std::to_string(include.line), from, include.path, *target});
    }
  }
  return found;
}

bool is_public_header(const CrossInclude& include) {
  const std::string& m = include.target.module;
  return include.target.file == m + ".hpp" && include.written == "modules/" + m + "/" + m + ".hpp";
}

}  // namespace

TEST_CASE("architecture: the source scanner finds SQL literals, not comments or includes") {
  const Scanned scanned = scan(R"source(#include "modules/wallet/wallet.hpp"
#include <boost/beast.hpp>
// SELECT * FROM wallet.wallets in a comment
/* DELETE FROM payroll.runs
   across lines */
constexpr db::Query k_q{"auth.select_user",
                        "SELECT u.id FROM auth.users u "
                        "JOIN wallet.wallets w ON w.owner_id = u.id"};
const auto raw = R"sql(UPDATE employee.employees
SET name = 'payroll.runs' -- payroll.items
WHERE id = $1)sql";
int n = 1'000'000; char q = '"'; std::string s = "INSERT INTO\ntransaction.logs";
auto event = "wallet.deposit.completed";
)source");

  REQUIRE(scanned.includes.size() == 2);
  CHECK(scanned.includes[0].path == "modules/wallet/wallet.hpp");
  CHECK(scanned.includes[0].line == 1);
  CHECK(scanned.includes[1].path == "boost/beast.hpp");

  std::vector<std::string> references;
  for (const auto& literal : scanned.literals) {
    for (const auto& ref : table_references(literal)) {
      references.push_back(std::to_string(ref.line) + " " + ref.schema + "." + ref.table);
    }
  }
  // Across two adjacent literals (lines 7 and 8), in the raw string (line 9; its constant and
  // SQL comment are not tables), after an escaped newline (line 12); never in the comments, the
  // include, the query name or the event name.
  const std::vector<std::string> expected{"7 auth.users", "8 wallet.wallets",
                                          "9 employee.employees", "12 transaction.logs"};
  CHECK(references == expected);
}

TEST_CASE("architecture: the DEPENDS graph is read from payrollx_module() calls") {
  const Graph graph = parse_depends(R"cmake(
function(payrollx_module name)  # the definition is not a module
payrollx_module(compliance)
payrollx_module(auth DEPENDS organization
                compliance)  # payrollx_module(ghost DEPENDS auth)
)cmake");
  const Graph expected{{"compliance", {}}, {"auth", {"organization", "compliance"}}};
  CHECK(graph == expected);
}

TEST_CASE("architecture: module SQL touches only the module's own schema and core") {
  const auto modules = module_names();
  REQUIRE_FALSE(modules.empty());
  int literals_seen = 0;
  for (const auto& module : modules) {
    for (const auto& file : files_under(k_source_dir / "src" / "modules" / module)) {
      for (const auto& literal : scan(read_file(file)).literals) {
        ++literals_seen;
        for (const auto& ref : table_references(literal)) {
          if (ref.schema == module) continue;
          FAIL_CHECK(shown(file) << ":" << ref.line << ": SQL of module " << module
                                 << " references " << ref.schema << "." << ref.table
                                 << " (another module's schema: call module " << ref.schema
                                 << " through its public interface)");
        }
      }
    }
  }
  CHECK(literals_seen > 0);
}

TEST_CASE("architecture: the layers above the modules reach them through interfaces, not SQL") {
  // The report maker and the settlement jobs call modules' public headers; the Solana library
  // knows no module at all.
  for (const auto* layer : {"reports", "settlement", "solana"}) {
    int files_seen = 0;
    for (const auto& file : files_under(k_source_dir / "src" / layer)) {
      ++files_seen;
      for (const auto& literal : scan(read_file(file)).literals) {
        for (const auto& ref : table_references(literal)) {
          if (ref.schema == "core") continue;
          FAIL_CHECK(shown(file) << ":" << ref.line << ": SQL of src/" << layer << " references "
                                 << ref.schema << "." << ref.table << " (go through module "
                                 << ref.schema << "'s interface)");
        }
      }
    }
    CHECK(files_seen > 0);
  }
  for (const auto& include : cross_module_includes(k_source_dir / "src" / "solana"))
    FAIL_CHECK(include.where << ": the Solana library includes module " << include.target.module
                             << " (it is below every module)");
}

TEST_CASE("architecture: code includes another module only through its public header") {
  const auto includes = cross_module_includes(k_source_dir / "src");
  for (const auto& include : includes) {
    if (is_public_header(include)) continue;
    FAIL_CHECK(include.where << ": includes \"" << include.written << "\": only \"modules/"
                             << include.target.module << "/" << include.target.module
                             << ".hpp\" of module " << include.target.module << " is public");
  }
  for (const auto& include : cross_module_includes(k_source_dir / "src" / "core")) {
    FAIL_CHECK(include.where << ": core includes module " << include.target.module
                             << " (core is below every module)");
  }
}

TEST_CASE("architecture: module headers include neither Beast nor libpq") {
  static const std::regex forbidden{
      R"(^(boost/beast|libpq-fe\.h|libpq-events\.h|libpq/|postgresql/))"};
  int headers_seen = 0;
  for (const auto& file : files_under(k_source_dir / "src" / "modules")) {
    if (file.extension() == ".cpp") continue;
    ++headers_seen;
    for (const auto& include : scan(read_file(file)).includes) {
      if (!std::regex_search(include.path, forbidden)) continue;
      FAIL_CHECK(shown(file) << ":" << include.line << ": module header includes <" << include.path
                             << "> (keep Beast and libpq in core's .cpp files)");
    }
  }
  CHECK(headers_seen > 0);
}

TEST_CASE("architecture: modules include each other only along the DEPENDS graph") {
  const Graph graph = module_graph();
  const auto modules = module_names();
  for (const auto& module : modules) {
    if (!graph.contains(module)) {
      FAIL_CHECK("src/modules/" << module << " has no payrollx_module(" << module
                                << " ...) in src/CMakeLists.txt");
    }
  }
  for (const auto& [module, deps] : graph) {
    for (const auto& dep : deps) {
      if (!graph.contains(dep)) {
        FAIL_CHECK("src/CMakeLists.txt: payrollx_module(" << module << " DEPENDS " << dep
                                                          << "): no module " << dep);
      }
    }
  }

  // The graph is acyclic: repeatedly remove modules whose dependencies are all removed.
  std::set<std::string> placed;
  for (bool progress = true; progress;) {
    progress = false;
    for (const auto& [module, deps] : graph) {
      if (placed.contains(module)) continue;
      if (std::all_of(deps.begin(), deps.end(),
                      [&](const auto& d) { return placed.contains(d) || !graph.contains(d); })) {
        placed.insert(module);
        progress = true;
      }
    }
  }
  for (const auto& [module, deps] : graph) {
    if (!placed.contains(module)) {
      FAIL_CHECK("src/CMakeLists.txt: module " << module << " is on a dependency cycle");
    }
  }

  for (const auto& include : cross_module_includes(k_source_dir / "src" / "modules")) {
    const auto found = graph.find(include.from_module);
    if (found != graph.end() && found->second.contains(include.target.module)) continue;
    FAIL_CHECK(include.where << ": module " << include.from_module << " includes module "
                             << include.target.module << ", but src/CMakeLists.txt has no "
                             << "payrollx_module(" << include.from_module << " DEPENDS ... "
                             << include.target.module << ")");
  }
}
