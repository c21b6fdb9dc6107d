#include "report/diagram.h"

#include <fnmatch.h>

#include <algorithm>
#include <array>
#include <set>
#include <sstream>

#include "base/strings.h"
#include "report/graphviz.h"

namespace dbarch::report {

namespace {

using catalog::Catalog;
using catalog::Constraint;
using catalog::ConstraintKind;
using catalog::QualifiedName;
using catalog::Table;

std::string Display(const QualifiedName& n) {
  return n.schema == "public" || n.schema.empty() ? n.name : n.schema + "." + n.name;
}

struct Edge {
  const Table* child;
  const Table* parent;
  const Constraint* fk;
  bool one_to_one;
  bool optional;
};

struct Selection {
  std::vector<const Table*> tables;
  std::vector<Edge> edges;
};

bool HasKeyOn(const Table& t, const std::vector<std::string>& cols) {
  for (const Constraint& c : t.constraints) {
    if ((c.kind == ConstraintKind::kPrimaryKey || c.kind == ConstraintKind::kUnique) &&
        std::is_permutation(c.columns.begin(), c.columns.end(), cols.begin(), cols.end())) {
      return true;
    }
  }
  return false;
}

Selection Select(const Catalog& cat, const DiagramOptions& o) {
  Selection s;
  std::set<QualifiedName> in;
  for (const auto& [name, t] : cat.tables) {
    if (t.partition_of) continue;  // partitions are drawn as their parent
    if (!o.schema.empty() && name.schema != o.schema) continue;
    if (!o.tables.empty() && fnmatch(o.tables.c_str(), Display(name).c_str(), 0) != 0) continue;
    s.tables.push_back(&t);
    in.insert(name);
  }
  for (const Table* t : s.tables) {
    for (const Constraint& c : t->constraints) {
      if (c.kind != ConstraintKind::kForeignKey || !in.count(c.ref_table)) continue;
      bool optional = false;
      for (const std::string& col : c.columns) {
        for (const catalog::Column& column : t->columns) {
          if (column.name == col && !column.not_null) optional = true;
        }
      }
      s.edges.push_back({t, cat.FindTable(c.ref_table), &c, HasKeyOn(*t, c.columns), optional});
    }
  }
  return s;
}

bool IsPk(const Table& t, const std::string& col) {
  for (const Constraint& c : t.constraints) {
    if (c.kind == ConstraintKind::kPrimaryKey &&
        std::find(c.columns.begin(), c.columns.end(), col) != c.columns.end()) {
      return true;
    }
  }
  return false;
}
bool IsFk(const Table& t, const std::string& col) {
  for (const Constraint& c : t.constraints) {
    if (c.kind == ConstraintKind::kForeignKey &&
        std::find(c.columns.begin(), c.columns.end(), col) != c.columns.end()) {
      return true;
    }
  }
  return false;
}
bool IsUnique(const Table& t, const std::string& col) {
  return HasKeyOn(t, {col}) && !IsPk(t, col);
}

std::string MermaidId(const QualifiedName& n) {
  std::string s = Display(n);
  for (char& c : s) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  }
  return s;
}

std::string MermaidType(std::string t) {
  for (char& c : t) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '(' && c != ')' && c != '[' &&
        c != ']') {
      c = '_';
    }
  }
  return t;
}

// Text inside a Mermaid double-quoted string: one line, no double quote.
std::string MermaidText(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"') {
      out += '\'';
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// The number of characters (UTF-8 code points) in `s`, to line columns up in a fixed-width font.
size_t Width(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// `s` followed by spaces up to `width` characters.
std::string Pad(std::string_view s, size_t width) {
  std::string out(s);
  out.append(width > Width(s) ? width - Width(s) : 0, ' ');
  return out;
}

// One line of a DOT label (an escString) as text inside a double-quoted string: a backslash is
// doubled (the label would read \l, \N... as escapes), a quote escaped, a line break a space.
std::string DotLabelText(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// A DOT double-quoted string. Graphviz's scanner reads \" as a quote and keeps any other
// backslash, taking backslashes two at a time; so a run of backslashes right before a quote or
// the closing quote cannot stay odd. Such a run gets one more backslash: the node's id (the
// SVG <title>) then shows one backslash too many, while the label shows the name as it is.
std::string DotQuote(std::string_view s) {
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '"') {
      out += "\\\"";
      ++i;
      continue;
    }
    if (s[i] != '\\') {
      out += s[i++];
      continue;
    }
    size_t run = 0;
    while (i < s.size() && s[i] == '\\') {
      ++run;
      ++i;
    }
    const bool before_quote = i == s.size() || s[i] == '"';
    out.append(before_quote && run % 2 == 1 ? run + 1 : run, '\\');
  }
  out += "\"";
  return out;
}

}  // namespace

std::string CatalogToMermaid(const Catalog& cat, const DiagramOptions& o) {
  Selection s = Select(cat, o);
  std::ostringstream out;
  out << "erDiagram\n";
  for (const Table* t : s.tables) {
    out << "    " << MermaidId(t->name);
    if (!o.columns) {
      out << " {\n    }\n";
      continue;
    }
    out << " {\n";
    for (const catalog::Column& c : t->columns) {
      out << "        " << MermaidType(c.type) << " " << c.name;
      std::vector<std::string> keys;
      if (IsPk(*t, c.name)) keys.push_back("PK");
      if (IsFk(*t, c.name)) keys.push_back("FK");
      if (IsUnique(*t, c.name)) keys.push_back("UK");
      if (!keys.empty()) out << " " << Join(keys, ", ");
      if (!c.comment.empty()) out << " \"" << MermaidText(c.comment.substr(0, 80)) << "\"";
      out << "\n";
    }
    out << "    }\n";
  }
  for (const Edge& e : s.edges) {
    std::string left = e.one_to_one ? (e.optional ? "|o" : "||") : "}o";
    std::string right = e.optional ? "o|" : "||";
    out << "    " << MermaidId(e.child->name) << " " << left << "--" << right << " "
        << MermaidId(e.parent->name) << " : \"" << Join(e.fk->columns, ", ") << "\"\n";
  }
  return out.str();
}

std::string CatalogToDbml(const Catalog& cat, const DiagramOptions& o) {
  Selection s = Select(cat, o);
  std::ostringstream out;
  auto quoted = [](const QualifiedName& n) { return "\"" + n.schema + "\".\"" + n.name + "\""; };
  for (const Table* t : s.tables) {
    out << "Table " << quoted(t->name) << " {\n";
    for (const catalog::Column& c : t->columns) {
      out << "  \"" << c.name << "\" \"" << c.type << "\"";
      std::vector<std::string> attrs;
      if (IsPk(*t, c.name)) attrs.push_back("pk");
      if (c.identity != catalog::IdentityKind::kNone) attrs.push_back("increment");
      if (c.not_null && !IsPk(*t, c.name)) attrs.push_back("not null");
      if (IsUnique(*t, c.name)) attrs.push_back("unique");
      if (!c.default_expr.empty()) attrs.push_back("default: `" + c.default_expr + "`");
      if (!c.comment.empty()) {
        std::string note = c.comment;
        std::string esc;
        for (char ch : note) esc += ch == '\'' ? std::string("\\'") : std::string(1, ch);
        attrs.push_back("note: '" + esc + "'");
      }
      if (!attrs.empty()) out << " [" << Join(attrs, ", ") << "]";
      out << "\n";
    }
    if (!t->comment.empty()) {
      std::string esc;
      for (char ch : t->comment) esc += ch == '\'' ? std::string("\\'") : std::string(1, ch);
      out << "  Note: '" << esc << "'\n";
    }
    out << "}\n\n";
  }
  for (const Edge& e : s.edges) {
    auto cols = [](const std::vector<std::string>& c) {
      if (c.size() == 1) return "\"" + c[0] + "\"";
      std::vector<std::string> q;
      for (const std::string& x : c) q.push_back("\"" + x + "\"");
      return "(" + Join(q, ", ") + ")";
    };
    out << "Ref: " << quoted(e.child->name) << "." << cols(e.fk->columns)
        << (e.one_to_one ? " - " : " > ") << quoted(e.parent->name) << "."
        << cols(e.fk->ref_columns) << "\n";
  }
  return out.str();
}

std::string CatalogToDot(const Catalog& cat, const DiagramOptions& o) {
  Selection s = Select(cat, o);
  std::ostringstream out;
  // Referenced tables sit left of the tables that reference them (rankdir=RL with edges from
  // the referencing table). Plain-text labels in Courier: Graphviz sizes them from Courier's
  // fixed advance (0.6 em) without a text-layout library, and SVG viewers draw them with
  // Courier or a metric-compatible font (Liberation Mono), so the boxes fit the text. Table
  // labels are not HTML-like or record labels because Graphviz 2.42 leaks memory laying those
  // out.
  out << "digraph schema {\n"
         "  rankdir=RL;\n"
         "  node [shape=box, fontname=\"Courier\", fontsize=12, style=filled, "
         "fillcolor=\"#fbfbf4\"];\n"
         "  edge [fontname=\"Courier\", fontsize=10, color=\"#555555\"];\n";
  for (const Table* t : s.tables) {
    const std::string name = Display(t->name);
    // The name centred, a rule, then one left-aligned line per column: name, type (ending in
    // "?" when nullable) and keys, in aligned columns.
    std::vector<std::array<std::string, 3>> rows;
    size_t name_w = 0;
    size_t type_w = 0;
    if (o.columns) {
      for (const catalog::Column& c : t->columns) {
        std::vector<std::string> keys;
        if (IsPk(*t, c.name)) keys.push_back("PK");
        if (IsFk(*t, c.name)) keys.push_back("FK");
        if (IsUnique(*t, c.name)) keys.push_back("UK");
        rows.push_back({c.name, c.type + (c.not_null ? "" : "?"), Join(keys, ",")});
        name_w = std::max(name_w, Width(rows.back()[0]));
        type_w = std::max(type_w, Width(rows.back()[1]));
      }
    }
    std::vector<std::string> lines;
    size_t width = Width(name);
    for (const auto& [column, type, keys] : rows) {
      std::string line =
          Pad(column, name_w) + "  " + (keys.empty() ? type : Pad(type, type_w) + "  " + keys);
      width = std::max(width, Width(line));
      lines.push_back(std::move(line));
    }
    out << "  " << DotQuote(name) << " [label=\"" << DotLabelText(name) << "\\n";
    if (!lines.empty()) {
      out << std::string(width, '-') << "\\n";
      for (const std::string& line : lines) out << DotLabelText(line) << "\\l";
    }
    out << "\"];\n";
  }
  for (const Edge& e : s.edges) {
    out << "  " << DotQuote(Display(e.child->name)) << " -> " << DotQuote(Display(e.parent->name))
        << " [label=\"" << DotLabelText(Join(e.fk->columns, ", ")) << "\""
        << (e.optional ? ", style=dashed" : "") << "];\n";
  }
  out << "}\n";
  return out.str();
}

Result<std::string> CatalogToSvg(const Catalog& cat, const DiagramOptions& o) {
  Result<std::string> svg = RenderDotToSvg(CatalogToDot(cat, o));
  if (!svg.ok()) return svg.status().WithContext("drawing the schema diagram");
  return svg;
}

}  // namespace dbarch::report
