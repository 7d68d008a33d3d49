#include "schema_registry/compatibility.h"

#include <boost/json.hpp>

#include <array>
#include <map>
#include <memory>
#include <set>

namespace tributary::schema_registry {
namespace {

namespace json = boost::json;

enum class kind { null, boolean, int_, long_, float_, double_, bytes, string, record, enum_, array, map, fixed, union_ };

struct node;
struct field {
  std::string name;
  std::vector<std::string> aliases;
  const node* type = nullptr;
  bool has_default = false;
};
struct node {
  kind k = kind::null;
  std::string name;  // full name of named types
  std::vector<std::string> aliases;
  std::vector<field> fields;
  std::vector<std::string> symbols;
  bool has_enum_default = false;
  const node* items = nullptr;  // array items, map values
  std::vector<const node*> branches;
  std::int64_t size = 0;
};

constexpr std::array<std::pair<std::string_view, kind>, 8> primitives{{{"null", kind::null},
                                                                       {"boolean", kind::boolean},
                                                                       {"int", kind::int_},
                                                                       {"long", kind::long_},
                                                                       {"float", kind::float_},
                                                                       {"double", kind::double_},
                                                                       {"bytes", kind::bytes},
                                                                       {"string", kind::string}}};

// The unqualified part of a full name, which resolution compares.
std::string_view short_name(std::string_view full) {
  const auto dot = full.rfind('.');
  return dot == std::string_view::npos ? full : full.substr(dot + 1);
}

// One schema's nodes; named types are found by full name.
class model {
 public:
  const node* parse(const json::value& v, const std::string& ns) {
    if (const auto* s = v.if_string()) return reference(std::string(*s), ns);
    if (const auto* a = v.if_array()) {
      auto& n = make(kind::union_);
      for (const auto& b : *a) n.branches.push_back(parse(b, ns));
      return &n;
    }
    const auto* o = v.if_object();
    if (!o) return &make(kind::null);
    const auto* type = o->if_contains("type");
    if (!type) return &make(kind::null);
    if (!type->is_string()) return parse(*type, ns);
    const std::string t(type->get_string());
    if (t == "record" || t == "error" || t == "enum" || t == "fixed") return named(*o, t, ns);
    if (t == "array" || t == "map") {
      auto& n = make(t == "array" ? kind::array : kind::map);
      const auto* inner = o->if_contains(t == "array" ? "items" : "values");
      n.items = inner ? parse(*inner, ns) : &make(kind::null);
      return &n;
    }
    return reference(t, ns);  // {"type": "string", "logicalType": ...} and references
  }

 private:
  node& make(kind k) {
    nodes_.push_back(std::make_unique<node>());
    nodes_.back()->k = k;
    return *nodes_.back();
  }

  static std::string full_name(const std::string& name, const std::string& ns) {
    if (name.find('.') != std::string::npos || ns.empty()) return name;
    return ns + "." + name;
  }

  const node* reference(const std::string& name, const std::string& ns) {
    for (const auto& [p, k] : primitives)
      if (p == name) return &make(k);
    if (auto it = named_.find(full_name(name, ns)); it != named_.end()) return it->second;
    if (auto it = named_.find(name); it != named_.end()) return it->second;
    return &make(kind::null);  // unknown name: invalid schemas are refused before this
  }

  const node* named(const json::object& o, const std::string& t, const std::string& enclosing) {
    auto& n = make(t == "enum" ? kind::enum_ : t == "fixed" ? kind::fixed : kind::record);
    std::string name = o.contains("name") && o.at("name").is_string() ? std::string(o.at("name").get_string()) : "";
    std::string ns = enclosing;
    if (const auto* given = o.if_contains("namespace"); given && given->is_string()) ns = given->get_string();
    n.name = full_name(name, ns);
    const auto dot = n.name.rfind('.');
    ns = dot == std::string::npos ? "" : n.name.substr(0, dot);
    named_[n.name] = &n;  // before the fields: recursive types refer to themselves
    if (const auto* aliases = o.if_contains("aliases"); aliases && aliases->is_array())
      for (const auto& a : aliases->get_array())
        if (a.is_string()) n.aliases.push_back(full_name(std::string(a.get_string()), ns));
    if (n.k == kind::enum_) {
      if (const auto* symbols = o.if_contains("symbols"); symbols && symbols->is_array())
        for (const auto& s : symbols->get_array())
          if (s.is_string()) n.symbols.emplace_back(s.get_string());
      n.has_enum_default = o.contains("default");
    } else if (n.k == kind::fixed) {
      if (const auto* size = o.if_contains("size"); size && size->is_int64()) n.size = size->get_int64();
    } else if (const auto* fields = o.if_contains("fields"); fields && fields->is_array()) {
      for (const auto& f : fields->get_array()) {
        const auto* fo = f.if_object();
        if (!fo) continue;
        field out;
        if (const auto* fname = fo->if_contains("name"); fname && fname->is_string()) out.name = fname->get_string();
        if (const auto* aliases = fo->if_contains("aliases"); aliases && aliases->is_array())
          for (const auto& a : aliases->get_array())
            if (a.is_string()) out.aliases.emplace_back(a.get_string());
        out.has_default = fo->contains("default");
        const auto* ftype = fo->if_contains("type");
        out.type = ftype ? parse(*ftype, ns) : &make(kind::null);
        n.fields.push_back(std::move(out));
      }
    }
    return &n;
  }

  std::vector<std::unique_ptr<node>> nodes_;
  std::map<std::string, const node*> named_;
};

const char* kind_name(kind k) {
  switch (k) {
    case kind::null: return "null";
    case kind::boolean: return "boolean";
    case kind::int_: return "int";
    case kind::long_: return "long";
    case kind::float_: return "float";
    case kind::double_: return "double";
    case kind::bytes: return "bytes";
    case kind::string: return "string";
    case kind::record: return "record";
    case kind::enum_: return "enum";
    case kind::array: return "array";
    case kind::map: return "map";
    case kind::fixed: return "fixed";
    case kind::union_: return "union";
  }
  return "?";
}

bool promotes(kind writer, kind reader) {
  switch (writer) {
    case kind::int_: return reader == kind::long_ || reader == kind::float_ || reader == kind::double_;
    case kind::long_: return reader == kind::float_ || reader == kind::double_;
    case kind::float_: return reader == kind::double_;
    case kind::string: return reader == kind::bytes;
    case kind::bytes: return reader == kind::string;
    default: return false;
  }
}

bool names_match(const node& reader, const node& writer) {
  if (short_name(reader.name) == short_name(writer.name)) return true;
  for (const auto& a : reader.aliases)
    if (short_name(a) == short_name(writer.name)) return true;
  return false;
}

class resolver {
 public:
  std::optional<std::string> check(const node* reader, const node* writer) {
    if (!seen_.insert({reader, writer}).second) return std::nullopt;  // recursive types: assumed until shown otherwise
    if (writer->k == kind::union_) {
      for (const auto* branch : writer->branches)
        if (auto e = check(reader, branch)) return "writer union branch " + std::string(kind_name(branch->k)) + ": " + *e;
      return std::nullopt;
    }
    if (reader->k == kind::union_) {
      for (const auto* branch : reader->branches) {
        auto saved = seen_;
        if (!check(branch, writer)) return std::nullopt;
        seen_ = std::move(saved);
      }
      return "no branch of the reader's union reads the writer's " + std::string(kind_name(writer->k));
    }
    if (reader->k != writer->k) {
      if (promotes(writer->k, reader->k)) return std::nullopt;
      return std::string("reader ") + kind_name(reader->k) + " cannot read writer " + kind_name(writer->k);
    }
    switch (reader->k) {
      case kind::record: {
        if (!names_match(*reader, *writer)) return "record names differ: " + reader->name + " and " + writer->name;
        for (const auto& rf : reader->fields) {
          const field* wf = find_field(*writer, rf);
          if (!wf) {
            if (!rf.has_default)
              return "reader field '" + rf.name + "' of " + reader->name + " has no default and is not in the writer";
            continue;
          }
          if (auto e = check(rf.type, wf->type)) return "field '" + rf.name + "': " + *e;
        }
        return std::nullopt;
      }
      case kind::enum_: {
        if (!names_match(*reader, *writer)) return "enum names differ: " + reader->name + " and " + writer->name;
        if (reader->has_enum_default) return std::nullopt;
        for (const auto& s : writer->symbols)
          if (std::find(reader->symbols.begin(), reader->symbols.end(), s) == reader->symbols.end())
            return "reader enum " + reader->name + " lacks the writer's symbol " + s;
        return std::nullopt;
      }
      case kind::fixed:
        if (!names_match(*reader, *writer)) return "fixed names differ: " + reader->name + " and " + writer->name;
        if (reader->size != writer->size) return "fixed " + reader->name + " sizes differ";
        return std::nullopt;
      case kind::array:
      case kind::map:
        if (auto e = check(reader->items, writer->items)) return std::string(kind_name(reader->k)) + " items: " + *e;
        return std::nullopt;
      default: return std::nullopt;
    }
  }

 private:
  static const field* find_field(const node& writer, const field& rf) {
    for (const auto& wf : writer.fields) {
      if (wf.name == rf.name) return &wf;
      if (std::find(rf.aliases.begin(), rf.aliases.end(), wf.name) != rf.aliases.end()) return &wf;
    }
    return nullptr;
  }
  std::set<std::pair<const node*, const node*>> seen_;
};

}  // namespace

std::optional<compatibility_level> parse_compatibility_level(std::string_view name) {
  for (auto level : {compatibility_level::none, compatibility_level::backward, compatibility_level::backward_transitive,
                     compatibility_level::forward, compatibility_level::forward_transitive, compatibility_level::full,
                     compatibility_level::full_transitive})
    if (level_name(level) == name) return level;
  return std::nullopt;
}

std::string_view level_name(compatibility_level level) {
  switch (level) {
    case compatibility_level::none: return "NONE";
    case compatibility_level::backward: return "BACKWARD";
    case compatibility_level::backward_transitive: return "BACKWARD_TRANSITIVE";
    case compatibility_level::forward: return "FORWARD";
    case compatibility_level::forward_transitive: return "FORWARD_TRANSITIVE";
    case compatibility_level::full: return "FULL";
    case compatibility_level::full_transitive: return "FULL_TRANSITIVE";
  }
  return "NONE";
}

std::optional<std::string> resolution_error(std::string_view reader_json, std::string_view writer_json) {
  boost::system::error_code ec1, ec2;
  const auto reader_doc = json::parse(reader_json, ec1);
  const auto writer_doc = json::parse(writer_json, ec2);
  if (ec1 || ec2) return std::string("a schema is not JSON");
  model reader_model, writer_model;
  const node* reader = reader_model.parse(reader_doc, "");
  const node* writer = writer_model.parse(writer_doc, "");
  resolver r;
  return r.check(reader, writer);
}

std::optional<std::string> incompatibility(compatibility_level level, std::string_view candidate,
                                           const std::vector<std::string>& earlier) {
  if (level == compatibility_level::none || earlier.empty()) return std::nullopt;
  const bool transitive = level == compatibility_level::backward_transitive ||
                          level == compatibility_level::forward_transitive || level == compatibility_level::full_transitive;
  const bool backward = level != compatibility_level::forward && level != compatibility_level::forward_transitive;
  const bool forward = level != compatibility_level::backward && level != compatibility_level::backward_transitive;
  const std::size_t first = transitive ? 0 : earlier.size() - 1;
  for (std::size_t i = first; i < earlier.size(); ++i) {
    const auto version = std::to_string(i + 1);
    if (backward)
      if (auto e = resolution_error(candidate, earlier[i])) return "the new schema cannot read data written with version " + version + ": " + *e;
    if (forward)
      if (auto e = resolution_error(earlier[i], candidate)) return "version " + version + " cannot read data written with the new schema: " + *e;
  }
  return std::nullopt;
}

}  // namespace tributary::schema_registry
