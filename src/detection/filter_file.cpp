#include "detection/filter_file.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

namespace custos::detection {
namespace {

namespace fs = std::filesystem;

// configparser gives up after this many nested %(...)s; so do we (it also catches cycles).
constexpr int kMaxInterpolationDepth = 10;
// fail2ban's limit on how often one <tag> may be replaced inside one option.
constexpr int kMaxTagReplacements = 25;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Value {
  std::string raw;
  fs::path file;
  int line = 0;
};
using Options = std::map<std::string, Value>;

struct Config {
  Options defaults;
  std::map<std::string, Options> sections;  // also "KNOWN/<name>": values an override replaced
  std::vector<std::string> init_order;      // [Init] option names in file order
};

std::string describe(const fs::path& file, int line, std::string_view section,
                     std::string_view option) {
  return where(file, line) + ": [" + std::string(section) + "] " + std::string(option);
}

// ---------------------------------------------------------------------------------------------
// Reading files and includes

class Loader {
 public:
  std::vector<fs::path> order;  // files in merge order

  void add_with_local(const fs::path& file, std::vector<fs::path>& chain) {
    add(file, chain);
    fs::path local = file;
    local.replace_extension(".local");
    if (local != file && fs::is_regular_file(local)) add(local, chain);
  }

  const IniFile& parsed(const fs::path& file) {
    auto it = cache_.find(file);
    if (it == cache_.end()) it = cache_.emplace(file, read_ini(file)).first;
    return it->second;
  }

 private:
  void add(const fs::path& file, std::vector<fs::path>& chain) {
    if (std::find(chain.begin(), chain.end(), file) != chain.end()) {
      std::string cycle;
      for (const auto& f : chain) cycle += f.string() + " -> ";
      throw FilterError(chain.back().string() + ": [INCLUDES] include cycle: " + cycle +
                        file.string());
    }
    const IniFile& ini = parsed(file);
    std::vector<fs::path> before;
    std::vector<fs::path> after;
    if (const IniSection* includes = ini.find("INCLUDES")) {
      chain.push_back(file);
      for (const char* which : {"before", "after"}) {
        const IniOption* option = includes->find(which);
        if (option == nullptr) continue;
        std::size_t start = 0;
        while (start <= option->value.size()) {
          std::size_t end = option->value.find('\n', start);
          if (end == std::string::npos) end = option->value.size();
          const std::string name = option->value.substr(start, end - start);
          start = end + 1;
          if (name.empty()) continue;
          fs::path target =
              fs::path(name).is_absolute() ? fs::path(name) : file.parent_path() / name;
          if (!fs::exists(target)) {
            // "after = common.local" is fail2ban's hook for the administrator's overrides:
            // such a file is optional. Any other include must be there.
            if (target.extension() == ".local") continue;
            throw FilterError(describe(option->file, option->line, "INCLUDES", which) + ": '" +
                              name + "' not found (looked for " + target.string() + ")");
          }
          const std::size_t mark = order.size();
          add_with_local(target, chain);
          // Collect what this include added, keep it in before/after position.
          std::vector<fs::path> added(order.begin() + static_cast<long>(mark), order.end());
          order.resize(mark);
          auto& list = std::string_view(which) == "before" ? before : after;
          list.insert(list.end(), added.begin(), added.end());
        }
      }
      chain.pop_back();
    }
    order.insert(order.end(), before.begin(), before.end());
    order.push_back(file);
    order.insert(order.end(), after.begin(), after.end());
  }

  std::map<fs::path, IniFile> cache_;
};

void merge(Config& config, const IniFile& ini) {
  for (const auto& o : ini.defaults.options) {
    config.defaults[o.name] = Value{o.value, o.file, o.line};
  }
  for (const auto& section : ini.sections) {
    // "[Definition?logtype=journal]": conditional options, kept as "name?cond" (not used here).
    std::string name = section.name;
    std::string condition;
    if (const auto q = name.find('?'); q != std::string::npos && q > 0) {
      condition = name.substr(q);
      name = name.substr(0, q);
    }
    auto existing = config.sections.find(name);
    if (existing != config.sections.end()) {
      Options& known = config.sections["KNOWN/" + name];
      for (const auto& o : section.options) {
        const auto old = existing->second.find(o.name + condition);
        if (old != existing->second.end()) known[o.name + condition] = old->second;
      }
    }
    Options& target = config.sections[name];
    for (const auto& o : section.options) {
      target[o.name + condition] = Value{o.value, o.file, o.line};
      if (name == "Init" && std::find(config.init_order.begin(), config.init_order.end(), o.name) ==
                                config.init_order.end()) {
        config.init_order.push_back(o.name);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// configparser's get() with fail2ban's interpolation

using Vars = std::map<std::string, std::string>;

class Resolver {
 public:
  Resolver(const Config& config) : config_(config) {}

  // Raw value of `option` in `section` (vars, then the section, then [DEFAULT]).
  [[nodiscard]] std::optional<Value> raw(const std::string& section, const std::string& option,
                                         const Vars& vars) const {
    const std::string key = lower(option);
    if (auto v = vars.find(key); v != vars.end()) return Value{v->second, {}, 0};
    if (section != "DEFAULT") {
      const auto s = config_.sections.find(section);
      if (s == config_.sections.end()) return std::nullopt;
      if (auto o = s->second.find(key); o != s->second.end()) return o->second;
    }
    if (auto o = config_.defaults.find(key); o != config_.defaults.end()) return o->second;
    return std::nullopt;
  }

  [[nodiscard]] bool has_section(const std::string& section) const {
    return section == "DEFAULT" || config_.sections.count(section) > 0;
  }

  // get(section, option, vars): nullopt if the section or option does not exist.
  [[nodiscard]] std::optional<std::string> get(const std::string& section,
                                               const std::string& option, const Vars& vars) const {
    if (!has_section(section)) return std::nullopt;
    auto value = raw(section, option, vars);
    if (!value) return std::nullopt;
    std::string out;
    interpolate(section, lower(option), *value, value->raw, vars, 1, out);
    return out;
  }

  // fail2ban's get_ex: "section/option" names another section ("known/option" the value an
  // override replaced); anything else is get(section, option, vars).
  [[nodiscard]] std::optional<std::string> get_ex(const std::string& section,
                                                  const std::string& option,
                                                  const Vars& vars) const {
    const auto slash = option.find('/');
    if (slash != std::string::npos && slash > 0 && slash + 1 < option.size() &&
        option.find_first_of(" \t>", slash) == std::string::npos &&
        std::all_of(option.begin(), option.begin() + static_cast<long>(slash), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        })) {
      const std::string sec = option.substr(0, slash);
      const std::string opt = option.substr(slash + 1);
      std::vector<std::string> tries;
      if (lower(sec) == "known") {
        tries = {"KNOWN/" + section, section};
      } else {
        tries = {lower(sec) == "default" ? std::string("DEFAULT") : sec};
      }
      for (const auto& s : tries) {
        if (auto v = get(s, opt, {})) return v;
      }
    }
    return get(section, option, vars);
  }

 private:
  // Value of "%(sec/opt)s" in the context of `section`, or nullopt.
  [[nodiscard]] std::optional<Value> section_option(const std::string& section,
                                                    const std::string& name) const {
    const auto slash = name.find('/');
    const std::string sec = name.substr(0, slash);
    const std::string opt = name.substr(slash + 1);
    const std::string sec_lower = lower(sec);
    const Options* source = nullptr;
    if (sec_lower == "known") {
      if (auto k = config_.sections.find("KNOWN/" + section); k != config_.sections.end()) {
        source = &k->second;
      }
    } else if (sec_lower != "default") {
      auto s = config_.sections.find(sec);
      if (s == config_.sections.end()) return std::nullopt;
      source = &s->second;
    }
    if (source != nullptr) {
      if (auto o = source->find(opt); o != source->end()) return o->second;
    }
    if (auto o = config_.defaults.find(opt); o != config_.defaults.end()) return o->second;
    return std::nullopt;
  }

  void interpolate(const std::string& section, const std::string& option, const Value& origin,
                   std::string_view rest, const Vars& vars, int depth, std::string& out) const {
    if (depth > kMaxInterpolationDepth) {
      throw FilterError(describe(origin.file, origin.line, section, option) +
                        ": interpolation nested more than " +
                        std::to_string(kMaxInterpolationDepth) +
                        " levels deep (does an option refer to itself?)");
    }
    while (!rest.empty()) {
      const auto p = rest.find('%');
      if (p == std::string_view::npos) {
        out.append(rest);
        return;
      }
      out.append(rest.substr(0, p));
      rest.remove_prefix(p);
      const char next = rest.size() > 1 ? rest[1] : '\0';
      if (next == '%') {
        out += '%';
        rest.remove_prefix(2);
        continue;
      }
      if (next != '(') {
        throw FilterError(describe(origin.file, origin.line, section, option) +
                          ": '%' must be followed by '%' or '(' (write '%%' for a literal "
                          "percent sign), found '" +
                          std::string(rest.substr(0, 20)) + "'");
      }
      const auto close = rest.find(")s");
      if (close == std::string_view::npos || close <= 2 ||
          rest.substr(2, close - 2).find(')') != std::string_view::npos) {
        throw FilterError(describe(origin.file, origin.line, section, option) +
                          ": bad interpolation syntax near '" + std::string(rest.substr(0, 30)) +
                          "' (expected %(name)s)");
      }
      const std::string name(rest.substr(2, close - 2));
      rest.remove_prefix(close + 2);
      std::optional<Value> value;
      if (name == "__name__") {
        value = Value{section, {}, 0};
      } else {
        value = raw(section, lower(name), vars);
        if (!value && name.find('/') != std::string::npos) value = section_option(section, name);
      }
      if (!value) {
        throw FilterError(describe(origin.file, origin.line, section, option) + ": '%(" + name +
                          ")s' refers to an option that is not defined");
      }
      if (value->raw.find('%') != std::string::npos) {
        interpolate(section, option, origin, value->raw, vars, depth + 1, out);
      } else {
        out += value->raw;
      }
    }
  }

  const Config& config_;
};

// ---------------------------------------------------------------------------------------------
// fail2ban's substituteRecursiveTags: "<name>" in one option is replaced by the value of another

using Ordered = std::vector<std::pair<std::string, std::string>>;

// Finds "<tag>" (no spaces or angle brackets inside) from `from`; returns the tag's position.
bool find_tag(const std::string& value, std::size_t from, std::size_t& at, std::string& tag) {
  while (true) {
    const auto open = value.find('<', from);
    if (open == std::string::npos) return false;
    std::size_t i = open + 1;
    while (i < value.size() && value[i] != '>' && value[i] != '<' && value[i] != ' ') ++i;
    if (i < value.size() && value[i] == '>' && i > open + 1) {
      at = open;
      tag = value.substr(open + 1, i - open - 1);
      return true;
    }
    from = open + 1;
  }
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  std::size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

void substitute_tags(Ordered& tags, const std::set<std::string>& ignore,
                     const std::function<std::optional<std::string>(const std::string&)>& extra,
                     const fs::path& file) {
  auto lookup = [&tags](const std::string& name) -> const std::string* {
    for (const auto& [k, v] : tags) {
      if (k == name) return &v;
    }
    return nullptr;
  };
  std::set<std::string> done;
  std::map<std::string, std::map<std::string, int>> counts;
  while (true) {
    bool again = false;
    for (auto& [tag, stored] : tags) {
      if (ignore.count(tag) || done.count(tag)) continue;
      std::string value = stored;
      const std::string original = value;
      std::map<std::string, int> replaced;
      if (auto c = counts.find(tag); c != counts.end()) replaced = c->second;
      std::size_t at = 0;
      std::string rtag;
      bool found = find_tag(value, 0, at, rtag);
      while (found) {
        if (ignore.count(rtag)) {
          found = find_tag(value, at + rtag.size() + 2, at, rtag);
          continue;
        }
        const int count = replaced.count(rtag) ? replaced[rtag] : 1;
        if (rtag == tag || count > kMaxTagReplacements) {
          throw FilterError(file.string() + ": [Definition] " + tag + ": <" + rtag +
                            "> refers back to itself and cannot be resolved");
        }
        std::optional<std::string> repl;
        if (const std::string* v = lookup(rtag)) repl = *v;
        if (!repl) repl = extra(rtag);
        if (!repl) {
          // Not an option: a regex tag such as <HOST>, left for the regex stage.
          found = find_tag(value, at + rtag.size() + 2, at, rtag);
          continue;
        }
        replace_all(value, "<" + rtag + ">", *repl);
        replaced[rtag] = (replaced.count(rtag) ? replaced[rtag] : 0) + 1;
        found = find_tag(value, at, at, rtag);
      }
      if (value != original) {
        std::size_t a = 0;
        std::string t;
        if (find_tag(value, 0, a, t)) {
          counts[tag] = replaced;
          again = true;
        }
        stored = value;
      }
      if (value.find('<') == std::string::npos) done.insert(tag);
    }
    if (!again) break;
  }
}

std::vector<std::string> split_lines(const std::string& value) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t end = value.find('\n', start);
    if (end == std::string::npos) end = value.size();
    if (end > start) out.push_back(value.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

const char* const kFilterOptions[] = {"usedns",   "prefregex",   "ignoreregex", "failregex",
                                      "maxlines", "datepattern", "journalmatch"};

// True if some raw value refers to `name` as <name> or %(name)s, or defines it. `logtype` is
// always accepted: fail2ban passes it to every filter (file, journal...) from the jail's backend.
bool filter_knows(const Config& config, const std::string& name) {
  if (name == "logtype") return true;
  if (std::find(std::begin(kFilterOptions), std::end(kFilterOptions), name) !=
      std::end(kFilterOptions)) {
    return true;
  }
  if (config.defaults.count(name)) return true;
  const std::string tag = "<" + name + ">";
  const std::string interp = "%(" + name + ")s";
  auto mentions = [&](const Options& options) {
    for (const auto& [k, v] : options) {
      if (k == name || v.raw.find(tag) != std::string::npos ||
          v.raw.find(interp) != std::string::npos ||
          v.raw.find("<" + name + "-") != std::string::npos ||
          v.raw.find("-<" + name + ">") != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  if (mentions(config.defaults)) return true;
  for (const auto& [section, options] : config.sections) {
    if (mentions(options)) return true;
  }
  return false;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> parse_filter_option(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return std::nullopt;
  std::string name(text.substr(0, eq));
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
  if (name.empty()) return std::nullopt;
  return std::make_pair(name, std::string(text.substr(eq + 1)));
}

FilterDefinition load_filter(const fs::path& path, const FilterOptions& options) {
  fs::path file = path;
  if (!fs::exists(file) && file.extension().empty() && fs::exists(fs::path(path) += ".conf")) {
    file += ".conf";
  }
  if (!fs::is_regular_file(file)) {
    throw FilterError(path.string() + ": no such filter file");
  }

  // The file, NAME.d/*.conf, NAME.local, NAME.d/*.local (each with its includes).
  fs::path base = file;
  if (base.extension() == ".conf" || base.extension() == ".local") base.replace_extension();
  std::vector<fs::path> top{file};
  auto add_dir = [&](const char* extension) {
    fs::path dir = base;
    dir += ".d";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return;
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == extension) found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    top.insert(top.end(), found.begin(), found.end());
  };
  add_dir(".conf");
  fs::path local = base;
  local += ".local";
  if (local != file && fs::is_regular_file(local)) top.push_back(local);
  add_dir(".local");

  Loader loader;
  for (const auto& f : top) {
    if (std::find(loader.order.begin(), loader.order.end(), f) != loader.order.end()) continue;
    std::vector<fs::path> chain;
    loader.add_with_local(f, chain);
  }
  Config config;
  for (const auto& f : loader.order) merge(config, loader.parsed(f));

  if (!config.sections.count("Definition")) {
    throw FilterError(file.string() + ": no [Definition] section (is this a filter file?)");
  }

  Vars vars;  // the jail's filter options: highest precedence in every lookup
  for (const auto& [name, value] : options) {
    const std::string key = lower(name);
    if (!filter_knows(config, key)) {
      throw FilterError(file.string() + ": filter option '" + name +
                        "' is not an option of this filter (no [Definition], [Init] or "
                        "[DEFAULT] option and no <" +
                        key + "> or %(" + key + ")s refers to it)");
    }
    vars[key] = value;
  }
  Resolver resolver(config);

  // Definition options (those the jail did not set itself).
  Ordered combined;
  for (const char* name : kFilterOptions) {
    if (vars.count(name)) continue;
    if (auto v = resolver.get("Definition", name, vars)) combined.emplace_back(name, *v);
  }
  // [Init] values, and the jail's options over them.
  Ordered init;
  for (const auto& [name, value] : options) init.emplace_back(lower(name), value);
  auto init_has = [&init](const std::string& n) {
    return std::any_of(init.begin(), init.end(), [&](const auto& kv) { return kv.first == n; });
  };
  if (config.sections.count("Init")) {
    for (const auto& name : config.init_order) {
      const auto value = resolver.get("Init", name, {});
      if (name.rfind("known/", 0) != 0) init.emplace_back("known/" + name, *value);
      if (!init_has(name)) init.emplace_back(name, *value);
    }
  }
  for (const auto& [name, value] : init) {
    auto it = std::find_if(combined.begin(), combined.end(),
                           [&](const auto& kv) { return kv.first == name; });
    if (it != combined.end()) {
      it->second = value;
    } else {
      combined.emplace_back(name, value);
    }
  }
  std::set<std::string> ignore;
  for (const auto& [name, value] : combined) {
    if (name.find('?') != std::string::npos) ignore.insert(name);
  }
  substitute_tags(
      combined, ignore,
      [&](const std::string& tag) { return resolver.get_ex("Definition", tag, vars); }, file);

  FilterDefinition def;
  def.file = file;
  def.files_read = loader.order;
  for (const auto& [name, value] : combined) {
    if (name == "prefregex") {
      def.prefregex = value;
    } else if (name == "failregex") {
      def.failregex = split_lines(value);
    } else if (name == "ignoreregex") {
      def.ignoreregex = split_lines(value);
    } else if (name == "datepattern") {
      def.datepattern = value;
    } else if (name == "usedns") {
      def.usedns = value;
    } else if (name == "journalmatch") {
      def.journalmatch = value;
    } else if (name == "maxlines") {
      std::size_t used = 0;
      int n = 0;
      try {
        n = std::stoi(value, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != value.size() || n < 1) {
        throw FilterError(file.string() + ": [Definition] maxlines: '" + value +
                          "' is not a positive whole number");
      }
      def.maxlines = n;
    }
  }
  // An option value that selects nothing (mode=agressive) leaves its tag unresolved, which
  // fail2ban would silently match as literal text: say so instead.
  for (const auto& [name, value] : options) {
    if (value.empty()) continue;
    std::vector<std::string> all = def.failregex;
    all.insert(all.end(), def.ignoreregex.begin(), def.ignoreregex.end());
    all.push_back(def.prefregex);
    for (const auto& regex : all) {
      std::size_t at = 0;
      std::string tag;
      std::size_t from = 0;
      while (find_tag(regex, from, at, tag)) {
        from = at + 1;
        if (tag.find(value) != std::string::npos && tag.find('-') != std::string::npos) {
          throw FilterError(file.string() + ": filter option " + name + "=" + value + ": <" + tag +
                            "> is not defined in this filter (is the value right?)");
        }
      }
    }
  }
  if (def.failregex.empty()) {
    throw FilterError(file.string() + ": [Definition] failregex: not defined or empty");
  }
  return def;
}

}  // namespace custos::detection
