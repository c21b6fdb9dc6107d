#include "report/diagram.h"

#include <fnmatch.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "base/strings.h"

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

std::string Escape(std::string_view s, bool xml) {
  std::string out;
  for (char c : s) {
    if (xml && c == '&') {
      out += "&amp;";
    } else if (xml && c == '<') {
      out += "&lt;";
    } else if (xml && c == '>') {
      out += "&gt;";
    } else if (c == '"') {
      out += xml ? "&quot;" : "'";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
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
      if (!c.comment.empty()) out << " \"" << Escape(c.comment.substr(0, 80), false) << "\"";
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
  out << "digraph schema {\n  rankdir=RL;\n  node [shape=plaintext, fontname=\"monospace\"];\n";
  for (const Table* t : s.tables) {
    out << "  \"" << Display(t->name)
        << "\" [label=<<table border=\"1\" cellborder=\"0\" cellspacing=\"0\">"
        << "<tr><td bgcolor=\"lightgrey\"><b>" << Escape(Display(t->name), true)
        << "</b></td></tr>";
    if (o.columns) {
      for (const catalog::Column& c : t->columns) {
        out << "<tr><td align=\"left\">" << Escape(c.name + " " + c.type, true)
            << (IsPk(*t, c.name) ? " (PK)" : "") << "</td></tr>";
      }
    }
    out << "</table>>];\n";
  }
  for (const Edge& e : s.edges) {
    out << "  \"" << Display(e.child->name) << "\" -> \"" << Display(e.parent->name)
        << "\" [label=\"" << Join(e.fk->columns, ", ") << "\""
        << (e.optional ? ", style=dashed" : "") << "];\n";
  }
  out << "}\n";
  return out.str();
}

std::string CatalogToSvg(const Catalog& cat, const DiagramOptions& o) {
  Selection s = Select(cat, o);
  constexpr double kChar = 7.4;  // width of one character at 12px monospace (generous)
  constexpr double kLine = 18;   // row height
  constexpr double kHeader = 24;
  constexpr double kPad = 8;
  constexpr double kGapX = 80;
  constexpr double kGapY = 30;
  constexpr double kMaxColumn = 1400;  // a rank taller than this wraps into more columns
  std::map<const Table*, size_t> index;
  for (size_t i = 0; i < s.tables.size(); ++i) index[s.tables[i]] = i;
  // Rank: a referenced table sits left of those that reference it (longest path from the
  // tables that reference nothing); edges that close a cycle are ignored for ranking.
  size_t n = s.tables.size();
  std::vector<std::vector<size_t>> parents(n);
  for (const Edge& e : s.edges) {
    if (e.child != e.parent) parents[index[e.child]].push_back(index[e.parent]);
  }
  std::vector<int> rank(n, -1);
  std::vector<int> state(n, 0);
  std::function<int(size_t)> rank_of = [&](size_t i) -> int {
    if (rank[i] >= 0) return rank[i];
    if (state[i] == 1) return -1;  // a cycle: this edge does not count
    state[i] = 1;
    int r = 0;
    for (size_t p : parents[i]) {
      int pr = rank_of(p);
      if (pr >= 0) r = std::max(r, pr + 1);
    }
    state[i] = 2;
    rank[i] = r;
    return r;
  };
  for (size_t i = 0; i < n; ++i) rank_of(i);
  struct Box {
    double x = 0, y = 0, w = 0, h = 0;
    std::vector<std::string> lines;
  };
  std::vector<Box> boxes(n);
  for (size_t i = 0; i < n; ++i) {
    const Table* t = s.tables[i];
    Box& b = boxes[i];
    size_t longest = Display(t->name).size();
    if (o.columns) {
      for (const catalog::Column& c : t->columns) {
        std::string mark = IsPk(*t, c.name) ? "PK " : IsFk(*t, c.name) ? "FK " : "   ";
        std::string line = mark + c.name + " : " + c.type + (c.not_null ? "" : "?");
        longest = std::max(longest, line.size());
        b.lines.push_back(line);
      }
    }
    b.w = longest * kChar + 2 * kPad;
    b.h = kHeader + b.lines.size() * kLine + kPad;
  }
  int max_rank = 0;
  for (int r : rank) max_rank = std::max(max_rank, r);
  double x = 20;
  double total_h = 0;
  for (int r = 0; r <= max_rank; ++r) {
    std::vector<size_t> members;
    for (size_t i = 0; i < n; ++i) {
      if (rank[i] == r) members.push_back(i);
    }
    double y = 20;
    double col_w = 0;
    for (size_t i : members) {
      if (y > 20 && y + boxes[i].h > kMaxColumn) {  // wrap into a new column
        x += col_w + kGapX;
        y = 20;
        col_w = 0;
      }
      boxes[i].x = x;
      boxes[i].y = y;
      y += boxes[i].h + kGapY;
      col_w = std::max(col_w, boxes[i].w);
      total_h = std::max(total_h, y);
    }
    x += col_w + kGapX;
  }
  double width = x + 20;
  double height = total_h + 20;
  auto num = [](double v) {
    std::ostringstream s;
    s.precision(1);
    s << std::fixed << v;
    return s.str();
  };
  std::ostringstream out;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width) << "\" height=\""
      << num(height) << "\" viewBox=\"0 0 " << num(width) << " " << num(height)
      << "\" font-family=\"monospace\" font-size=\"12\">\n";
  out << "  <defs><marker id=\"one\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
         "markerWidth=\"10\" "
         "markerHeight=\"10\" orient=\"auto\"><path d=\"M 0 0 L 10 5 L 0 10\" fill=\"none\" "
         "stroke=\"#555\"/></marker></defs>\n";
  out << "  <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  // Edges first, under the boxes: from the child's left edge to the parent's right edge.
  out << "  <g class=\"edges\" fill=\"none\" stroke=\"#555\">\n";
  for (const Edge& e : s.edges) {
    const Box& c = boxes[index[e.child]];
    const Box& p = boxes[index[e.parent]];
    double y1 = c.y + kHeader / 2;
    double y2 = p.y + kHeader / 2;
    if (e.child == e.parent) {
      out << "    <path d=\"M " << num(c.x + c.w) << " " << num(y1) << " h 20 v 14 h -20\""
          << " marker-end=\"url(#one)\"/>\n";
      continue;
    }
    double x1 = c.x;
    double x2 = p.x + p.w;
    if (p.x > c.x) {  // a back edge of a cycle: right edge to left edge
      x1 = c.x + c.w;
      x2 = p.x;
    }
    double mid = (x1 + x2) / 2;
    out << "    <path d=\"M " << num(x1) << " " << num(y1) << " C " << num(mid) << " " << num(y1)
        << " " << num(mid) << " " << num(y2) << " " << num(x2) << " " << num(y2) << "\""
        << (e.optional ? " stroke-dasharray=\"4 3\"" : "") << " marker-end=\"url(#one)\">"
        << "<title>"
        << Escape(Display(e.child->name) + "(" + Join(e.fk->columns, ", ") + ") -> " +
                      Display(e.parent->name),
                  true)
        << "</title></path>\n";
  }
  out << "  </g>\n";
  for (size_t i = 0; i < n; ++i) {
    const Box& b = boxes[i];
    std::string name = Display(s.tables[i]->name);
    out << "  <g class=\"table\" data-name=\"" << Escape(name, true) << "\">\n";
    out << "    <rect class=\"box\" x=\"" << num(b.x) << "\" y=\"" << num(b.y) << "\" width=\""
        << num(b.w) << "\" height=\"" << num(b.h) << "\" fill=\"#fbfbf4\" stroke=\"#333\"/>\n";
    out << "    <rect x=\"" << num(b.x) << "\" y=\"" << num(b.y) << "\" width=\"" << num(b.w)
        << "\" height=\"" << num(kHeader) << "\" fill=\"#dde6f0\" stroke=\"#333\"/>\n";
    out << "    <text class=\"name\" x=\"" << num(b.x + kPad) << "\" y=\"" << num(b.y + 16)
        << "\" font-weight=\"bold\">" << Escape(name, true) << "</text>\n";
    for (size_t l = 0; l < b.lines.size(); ++l) {
      out << "    <text x=\"" << num(b.x + kPad) << "\" y=\"" << num(b.y + kHeader + 13 + l * kLine)
          << "\" xml:space=\"preserve\">" << Escape(b.lines[l], true) << "</text>\n";
    }
    out << "  </g>\n";
  }
  out << "</svg>\n";
  return out.str();
}

}  // namespace dbarch::report
