#include "modules/notification/templates.hpp"

#include <algorithm>
#include <utility>

namespace payrollx::notification {
namespace {

struct Token {
  enum class Kind { text, placeholder, unclosed };
  Kind kind;
  std::string_view value;  // the text, the placeholder's trimmed name, or the unclosed rest
};

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// One reading of the syntax for both the check and the rendering, so that what PUT accepts is
// what renders.
std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  while (!text.empty()) {
    const auto open = text.find("{{");
    if (open == std::string_view::npos) {
      tokens.push_back({Token::Kind::text, text});
      break;
    }
    if (open > 0) tokens.push_back({Token::Kind::text, text.substr(0, open)});
    const auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      tokens.push_back({Token::Kind::unclosed, text.substr(open)});
      break;
    }
    tokens.push_back({Token::Kind::placeholder, trim(text.substr(open + 2, close - open - 2))});
    text.remove_prefix(close + 2);
  }
  return tokens;
}

std::string problem_of(const Token& token, std::span<const std::string_view> allowed) {
  if (token.kind == Token::Kind::unclosed) return "a \"{{\" is never closed by \"}}\"";
  if (token.value.empty()) return "empty placeholder {{}}";
  if (std::find(allowed.begin(), allowed.end(), token.value) == allowed.end())
    return "unknown placeholder {{" + std::string(token.value) + "}}";
  return {};
}

std::string substitute(std::string_view text,
                       const std::map<std::string, std::string, std::less<>>& values) {
  std::string result;
  for (const Token& token : tokenize(text)) {
    if (token.kind != Token::Kind::placeholder) {
      result += token.value;
    } else if (auto found = values.find(token.value); found != values.end()) {
      result += found->second;
    }
  }
  return result;
}

// The five characters that can open a tag, an attribute value or an entity.
constexpr std::pair<char, std::string_view> k_entities[] = {
    {'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}};

// `text` for HTML: escaped, so no value can open a tag or an attribute, and its line breaks
// (CRLF, LF or CR) as <br>.
std::string html_text(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto entity = std::find_if(std::begin(k_entities), std::end(k_entities),
                                     [&](const auto& pair) { return pair.first == c; });
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      result += "<br>\n";
    } else if (entity != std::end(k_entities)) {
      result += entity->second;
    } else {
      result += c;
    }
  }
  return result;
}

std::string html_document(std::string_view subject, std::string_view text) {
  return "<!doctype html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>" + html_text(subject) +
         "</title>\n</head>\n<body>\n<p>" + html_text(text) + "</p>\n</body>\n</html>\n";
}

}  // namespace

std::vector<std::string> template_errors(std::string_view event_type, std::string_view text) {
  const auto allowed = placeholders_of(event_type);
  std::vector<std::string> errors;
  for (const Token& token : tokenize(text)) {
    if (token.kind == Token::Kind::text) continue;
    std::string problem = problem_of(token, allowed);
    if (!problem.empty() && std::find(errors.begin(), errors.end(), problem) == errors.end())
      errors.push_back(std::move(problem));
  }
  return errors;
}

Rendered render(const Template& tmpl,
                const std::map<std::string, std::string, std::less<>>& values) {
  Rendered rendered;
  // A subject is a mail header: a line break in it (from a value, say) would start another.
  rendered.subject = substitute(tmpl.subject, values);
  std::replace_if(
      rendered.subject.begin(), rendered.subject.end(),
      [](char c) { return c == '\r' || c == '\n'; }, ' ');
  rendered.text = substitute(tmpl.body, values);
  return rendered;
}

std::string html_of(const Rendered& rendered) {
  return html_document(rendered.subject, rendered.text);
}

}  // namespace payrollx::notification
