// Graphviz in process: DOT text laid out by libgvc and rendered as SVG. The only code that
// includes Graphviz's headers (graphviz.cc); every graph, layout and rendered text it makes has
// one RAII owner there and is freed on every path. Used by diagram.cc (`dbarch inspect --format
// svg` and the ER diagram that `dbarch design` writes).
//
// Thread-safety: safe to call from several threads. Graphviz keeps global state (its error
// handler, its plugins' caches), so renders are serialised by one lock and share one Graphviz
// context that lives until the process exits; each render's graph, layout and output are
// freed before it returns.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace dbarch::report {

// Lays the graph in `dot` out with Graphviz's dot engine and returns it as one SVG document.
// Only two Graphviz plugins are loaded, linked in: the dot layout and the core renderers; no
// text-layout plugin, so text is measured from Graphviz's own tables of the PostScript fonts
// (Courier, Helvetica/Arial, Times), the same on every machine. Nothing is printed: Graphviz's
// messages are collected, and when it fails they make the returned error. Errors: kInvalidArgument
// for DOT text Graphviz cannot read (the message quotes its syntax error); kInternal when the
// layout or the SVG renderer fails, with Graphviz's message. Never returns partial output.
Result<std::string> RenderDotToSvg(std::string_view dot);

}  // namespace dbarch::report
