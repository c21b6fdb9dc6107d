#include "report/graphviz.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <graphviz/gvplugin.h>

#include <memory>
#include <mutex>

#include "base/strings.h"

namespace dbarch::report {
namespace {

// Graphviz reports through one process-wide handler, so renders take turns.
std::mutex g_render_mutex;
// The messages of the render in progress; written by CollectMessage under g_render_mutex.
std::string* g_messages = nullptr;

int CollectMessage(char* text) {
  if (g_messages != nullptr && text != nullptr) g_messages->append(text);
  return 0;
}

// Installs CollectMessage for one render and restores the previous handler after it.
class MessageCapture {
 public:
  explicit MessageCapture(std::string* sink) {
    g_messages = sink;
    previous_ = agseterrf(&CollectMessage);
    agreseterrors();
  }
  MessageCapture(const MessageCapture&) = delete;
  MessageCapture& operator=(const MessageCapture&) = delete;
  ~MessageCapture() {
    agseterrf(previous_);
    g_messages = nullptr;
  }

 private:
  agusererrf previous_ = nullptr;
};

}  // namespace
}  // namespace dbarch::report

// The two Graphviz plugins dbarch uses, linked in (CMakeLists.txt): the dot layout and the core
// renderers (SVG among them).
extern "C" {
extern gvplugin_library_t gvplugin_dot_layout_LTX_library;
extern gvplugin_library_t gvplugin_core_LTX_library;
}

namespace dbarch::report {
namespace {

// The process's one Graphviz context with the two linked-in plugins, made on first use and
// kept until exit (reachable from here, so not a leak). Not gvContext(): that loads every
// installed plugin, among them the pango text layout, which leaks fontconfig and glib memory
// on every render and keeps a pointer into the font table of the first context, so a second
// context reads freed memory (both seen under AddressSanitizer with Graphviz 2.42). Requires:
// g_render_mutex held.
GVC_t* SharedContext() {
  static GVC_t* gvc = nullptr;
  static lt_symlist_t plugins[] = {
      {"gvplugin_dot_layout_LTX_library", &gvplugin_dot_layout_LTX_library},
      {"gvplugin_core_LTX_library", &gvplugin_core_LTX_library},
      {nullptr, nullptr},
  };
  if (gvc == nullptr) gvc = gvContextPlugins(plugins, 0);
  return gvc;
}

struct GraphClose {
  void operator()(Agraph_t* graph) const { agclose(graph); }
};
struct RenderDataFree {
  void operator()(char* data) const { gvFreeRenderData(data); }
};

// A graph's layout, freed before the graph itself is closed.
class Layout {
 public:
  Layout(GVC_t* gvc, Agraph_t* graph) : gvc_(gvc), graph_(graph) {}
  Layout(const Layout&) = delete;
  Layout& operator=(const Layout&) = delete;
  ~Layout() { gvFreeLayout(gvc_, graph_); }

 private:
  GVC_t* gvc_;
  Agraph_t* graph_;
};

// Graphviz's collected messages without the trailing newline, or a placeholder when it gave none.
std::string Messages(const std::string& text) {
  std::string out(Trim(text));
  return out.empty() ? "no message from Graphviz" : out;
}

}  // namespace

Result<std::string> RenderDotToSvg(std::string_view dot) {
  std::lock_guard<std::mutex> lock(g_render_mutex);
  std::string messages;
  MessageCapture capture(&messages);
  GVC_t* gvc = SharedContext();
  if (gvc == nullptr) return Status::Internal("graphviz: cannot create a context");
  // Declared in this order so they are destroyed in reverse: rendered text, layout, graph.
  const std::string text(dot);  // agmemread needs a NUL-terminated string
  std::unique_ptr<Agraph_t, GraphClose> graph(agmemread(text.c_str()));
  if (graph == nullptr) {
    return Status::InvalidArgument("graphviz cannot read the DOT text: " + Messages(messages));
  }
  if (gvLayout(gvc, graph.get(), "dot") != 0) {
    return Status::Internal("graphviz could not lay the diagram out: " + Messages(messages));
  }
  Layout layout(gvc, graph.get());
  char* data = nullptr;
  unsigned int length = 0;
  const int rendered = gvRenderData(gvc, graph.get(), "svg", &data, &length);
  std::unique_ptr<char, RenderDataFree> owned(data);
  if (rendered != 0 || data == nullptr) {
    return Status::Internal("graphviz could not render SVG: " + Messages(messages));
  }
  return std::string(data, length);
}

}  // namespace dbarch::report
