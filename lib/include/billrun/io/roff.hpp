#pragma once
// Man pages as plain text, for `billrun help`: the subset of roff and the man macros that
// billrun's own pages use (.TH .SH .SS .PP .TP .TQ .IP .RS/.RE .PD .EX/.EE .nf/.fi .br,
// the font macros .B .I .BR .RB .BI .IB .IR .RI, and the escapes \f \- \e \( \[ \& \% \|
// \c "\ "), laid out as man(1) does on a terminal: filled, ragged right, no hyphenation.
// Anything else is skipped: the words are what must match the page.
#include <string>
#include <string_view>

namespace billrun::io {

// The page `roff` as lines of at most `width` columns (longer words stay whole), with the
// header and footer lines man prints.
std::string render_man(std::string_view roff, int width = 78);

}  // namespace billrun::io
